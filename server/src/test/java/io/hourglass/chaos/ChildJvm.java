package io.hourglass.chaos;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Java process the suite starts (server, enqueuer, worker) and may kill -9. Its output goes to
 * a file, so a full pipe can never block it.
 */
final class ChildJvm {
  private final String name;
  private final Process process;
  private final Path log;

  private ChildJvm(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
  }

  /** The classpath of this JVM (surefire's test classpath under Maven, or what scripts/chaos passes). */
  static String classpath() {
    return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
  }

  static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /** {@code java <jvmOptions> -cp <this classpath> mainClass args}. */
  static ChildJvm startMain(String name, Path log, List<String> jvmOptions, Class<?> mainClass, List<String> args) {
    List<String> cmd = new ArrayList<>(List.of(java()));
    cmd.addAll(jvmOptions);
    cmd.addAll(List.of("-cp", classpath(), mainClass.getName()));
    cmd.addAll(args);
    return start(name, log, cmd);
  }

  static ChildJvm start(String name, Path log, List<String> command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
      return new ChildJvm(name, p, log);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name + ": " + String.join(" ", command), e);
    }
  }

  String name() {
    return name;
  }

  Path log() {
    return log;
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** SIGKILL, like a crash or the OOM killer, then waits until the process is gone. */
  void kill9() {
    process.destroyForcibly();  // SIGKILL on Linux
    awaitExit(30_000);
  }

  /** Waits for the process to end on its own; kills it if it does not in time. Returns its exit code. */
  int awaitExit(long millis) {
    try {
      if (!process.waitFor(millis, TimeUnit.MILLISECONDS)) {
        process.destroyForcibly().waitFor();
      }
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
      throw new IllegalStateException(e);
    }
  }
}
