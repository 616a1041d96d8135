package io.hourglass.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A server build to measure, by the label its rows carry ({@code --server-jar before=/tmp/old.jar}).
 * Several in one run are measured one after the other on the same shards, so a before/after
 * comparison shares its raw reference and its machine state.
 */
record ServerJar(String label, Path path) {
  static final String DEFAULT_LABEL = "server";

  static ServerJar parse(String spec, Path repo) {
    int eq = spec.indexOf('=');
    if (eq <= 0 || eq == spec.length() - 1) {
      throw new IllegalArgumentException("--server-jar wants LABEL=PATH, got '" + spec + "'");
    }
    String label = spec.substring(0, eq);
    if (!label.matches("[A-Za-z0-9_.-]+")) {
      throw new IllegalArgumentException("--server-jar label '" + label + "': letters, digits, '.', '_', '-' only");
    }
    Path path = repo.resolve(spec.substring(eq + 1)).toAbsolutePath().normalize();
    if (!Files.isRegularFile(path)) {
      throw new IllegalArgumentException("--server-jar " + label + ": " + path + " is not a file");
    }
    return new ServerJar(label, path);
  }

  /** The jars of {@code specs}, or this checkout's server when none is given. */
  static List<ServerJar> of(List<String> specs, Path repo) {
    if (specs == null || specs.isEmpty()) {
      return List.of(new ServerJar(DEFAULT_LABEL, repo.resolve("server/target/hourglass-server.jar")));
    }
    List<ServerJar> jars = specs.stream().map(s -> parse(s, repo)).toList();
    if (jars.stream().map(ServerJar::label).distinct().count() != jars.size()) {
      throw new IllegalArgumentException("--server-jar labels must differ: " + specs);
    }
    return jars;
  }
}
