package io.hourglass.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Python and Node.js Thrift clients generated from an IDL, and the runtimes they need. Whatever is
 * missing fails the test with the Debian package to install (scripts/ensure-tools installs them
 * all); nothing is skipped.
 */
public final class ForeignClients {
  /** Debian's interpreter, which has python3-thrift; the python3 first on PATH may not. */
  public static final String PYTHON = "/usr/bin/python3";

  private static final String ENSURE_TOOLS = " (scripts/ensure-tools installs it)";
  private static final String THRIFT_HINT =
      "the Thrift compiler is required: apt-get install -y thrift-compiler" + ENSURE_TOOLS;
  private static final String PYTHON_HINT =
      PYTHON + " with Python's thrift module is required: apt-get install -y python3-thrift" + ENSURE_TOOLS;
  private static final String NODE_HINT = "Node.js is required: apt-get install -y nodejs" + ENSURE_TOOLS;
  private static final String NPM_HINT = "npm is required: apt-get install -y npm" + ENSURE_TOOLS;

  private ForeignClients() {}

  public static Path ourIdl() {
    return Repo.root().resolve("thrift/src/main/thrift/hourglass.thrift");
  }

  /** Fresh output of {@code thrift --gen GENERATOR} for the IDL in DIR. */
  public static Path generate(String generator, Path idl, Path dir) {
    deleteRecursively(dir);
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ExternalCommand.of(List.of("thrift", "--gen", generator, "-out", dir.toString(), idl.toString()))
        .ifMissing(THRIFT_HINT).runSuccessfully();
    return dir;
  }

  public static void requirePythonThrift() {
    // Isolated (-I) and thrift.Thrift: the repository's own thrift/ folder must not pass for the module.
    ExternalCommand.of(List.of(PYTHON, "-I", "-c", "import thrift.Thrift")).ifMissing(PYTHON_HINT).runSuccessfully();
  }

  public static void requireNode() {
    ExternalCommand.of(List.of("node", "--version")).ifMissing(NODE_HINT).runSuccessfully();
  }

  /**
   * The npm {@code thrift} runtime, installed with {@code npm ci} from the lockfile in
   * server/src/test/node into server/target/node-client (reused while the lockfile is unchanged).
   * Returns the node_modules directory, for NODE_PATH.
   */
  public static Path nodeThriftRuntime() {
    requireNode();
    Path source = Repo.root().resolve("server/src/test/node");
    Path dir = Repo.root().resolve("server/target/node-client");
    Path modules = dir.resolve("node_modules");
    List<String> manifests = List.of("package.json", "package-lock.json");
    try {
      if (Files.exists(modules.resolve("thrift/package.json")) && sameFiles(source, dir, manifests)) {
        return modules;
      }
      Files.createDirectories(dir);
      for (String f : manifests) {
        Files.copy(source.resolve(f), dir.resolve(f), StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ExternalCommand.of(List.of("npm", "ci", "--no-audit", "--no-fund"))
        .directory(dir)
        .ifMissing(NPM_HINT + "; npm ci also needs the npm registry")
        .runSuccessfully();
    return modules;
  }

  private static boolean sameFiles(Path a, Path b, List<String> names) throws IOException {
    for (String name : names) {
      if (!Files.exists(b.resolve(name))
          || !Arrays.equals(Files.readAllBytes(a.resolve(name)), Files.readAllBytes(b.resolve(name)))) {
        return false;
      }
    }
    return true;
  }

  private static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
