package io.hourglass.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a program of another toolchain (python3, node, npm, thrift, the admin scripts) and keeps
 * what it printed. A program that cannot start fails the test with a hint naming what to install:
 * nothing is skipped.
 */
public final class ExternalCommand {
  private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(120);

  private final List<String> command;
  private Map<String, String> env = Map.of();
  private Path directory;
  private String stdin;
  private String ifMissing = "";
  private Duration timeout = DEFAULT_TIMEOUT;

  private ExternalCommand(List<String> command) {
    this.command = List.copyOf(command);
  }

  public static ExternalCommand of(List<String> command) {
    return new ExternalCommand(command);
  }

  public ExternalCommand env(Map<String, String> env) {
    this.env = Map.copyOf(env);
    return this;
  }

  public ExternalCommand directory(Path directory) {
    this.directory = directory;
    return this;
  }

  public ExternalCommand stdin(String input) {
    this.stdin = input;
    return this;
  }

  /** What to tell the reader when the program cannot start, e.g. which Debian package has it. */
  public ExternalCommand ifMissing(String hint) {
    this.ifMissing = hint;
    return this;
  }

  public ExternalCommand timeout(Duration timeout) {
    this.timeout = timeout;
    return this;
  }

  /** What the program did. */
  public record Result(List<String> command, int exitCode, String stdout, String stderr, Duration took) {
    public List<String> stdoutLines() {
      return stdout.isEmpty() ? List.of() : List.of(stdout.split("\n"));
    }

    /** For assertion messages: the command, its exit code and everything it printed. */
    public String describe() {
      return String.join(" ", command) + "\nexit code " + exitCode + " after " + took.toMillis() + " ms"
          + "\n--- stdout ---\n" + stdout + "--- stderr ---\n" + stderr;
    }
  }

  public Result run() {
    try {
      Path out = Files.createTempFile("cmd-out-", ".txt");
      Path err = Files.createTempFile("cmd-err-", ".txt");
      try {
        return runCapturingTo(out, err);
      } finally {
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Runs it and fails the test unless it exits 0. */
  public Result runSuccessfully() {
    Result r = run();
    if (r.exitCode() != 0) {
      throw new AssertionError(r.describe() + (ifMissing.isEmpty() ? "" : "\n(" + ifMissing + ")"));
    }
    return r;
  }

  private Result runCapturingTo(Path out, Path err) throws IOException {
    // Files, not pipes: nothing can block on a full pipe while we wait for the exit.
    ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
    pb.environment().putAll(env);
    if (directory != null) {
      pb.directory(directory.toFile());
    }
    long start = System.nanoTime();
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new AssertionError("cannot run '" + command.get(0) + "': " + e.getMessage() + ". " + ifMissing, e);
    }
    try (OutputStream in = p.getOutputStream()) {
      if (stdin != null) {
        in.write(stdin.getBytes(StandardCharsets.UTF_8));
      }
    }
    try {
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly().waitFor();
        throw new AssertionError("timed out after " + timeout + ": " + String.join(" ", command)
            + "\n--- stdout ---\n" + read(out) + "--- stderr ---\n" + read(err));
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    return new Result(command, p.exitValue(), read(out), read(err), took);
  }

  private static String read(Path file) throws IOException {
    return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
  }
}
