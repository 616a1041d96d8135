package io.hourglass.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds the repository root (set by surefire as hourglass.repo, else found from the cwd). */
public final class Repo {
  private Repo() {}

  public static Path root() {
    String prop = System.getProperty("hourglass.repo");
    if (prop != null) {
      return Path.of(prop).toAbsolutePath().normalize();
    }
    Path p = Path.of("").toAbsolutePath();
    while (p != null && !Files.exists(p.resolve("scripts/local-shards"))) {
      p = p.getParent();
    }
    if (p == null) {
      throw new IllegalStateException("cannot find the repository root (scripts/local-shards)");
    }
    return p;
  }
}
