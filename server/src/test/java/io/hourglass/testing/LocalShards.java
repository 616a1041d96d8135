package io.hourglass.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Real MariaDB shards for the test run, started once per JVM through {@code scripts/local-shards}
 * (the same launcher {@code scripts/run-local} uses). If they cannot start, every test that
 * needs them fails with the launcher's message: nothing is skipped.
 */
public final class LocalShards {
  public static final int COUNT = 3;
  private static LocalShards instance;

  private final Path dir;
  private final List<Integer> ports;
  private final boolean fast;

  private LocalShards(Path dir, List<Integer> ports, boolean fast) {
    this.dir = dir;
    this.ports = ports;
    this.fast = fast;
  }

  public static synchronized LocalShards get() {
    if (instance == null) {
      try {
        Path dir = Files.createTempDirectory("hourglass-shards-");
        List<Integer> ports = freePorts(COUNT);
        LocalShards shards = new LocalShards(dir, ports, true);
        shards.run("start", "--count", String.valueOf(COUNT), "--ports", join(ports), "--fast");
        Runtime.getRuntime().addShutdownHook(new Thread(shards::stopAllQuietly));
        instance = shards;
      } catch (IOException e) {
        throw new IllegalStateException("could not start local MariaDB shards: " + e.getMessage(), e);
      }
    }
    return instance;
  }

  /**
   * A shard set of its own (own data dir, ports and processes), for tests that kill shards: the
   * shared set of {@link #get()} is used by every other test class of the JVM. Stop it with
   * {@link #stopAll()}; a shutdown hook does it too.
   */
  public static LocalShards dedicated(int count) {
    return dedicated(count, true);
  }

  /**
   * As {@link #dedicated(int)}; {@code fast = false} keeps fsync on (every commit on disk), as
   * the fault suite needs to prove durability across mariadbd kills. Restarts keep the setting.
   */
  public static LocalShards dedicated(int count, boolean fast) {
    try {
      Path dir = Files.createTempDirectory("hourglass-dedicated-shards-");
      List<Integer> ports = freePorts(count);
      LocalShards shards = new LocalShards(dir, ports, fast);
      shards.run(shards.startArgs("--count", String.valueOf(count)));
      Runtime.getRuntime().addShutdownHook(new Thread(shards::stopAllQuietly));
      return shards;
    } catch (IOException e) {
      throw new IllegalStateException("could not start dedicated MariaDB shards: " + e.getMessage(), e);
    }
  }

  /** Stops every shard of this set (not for the shared set of {@link #get()}). */
  public void stopAll() {
    if (this == instance) {
      throw new IllegalStateException("the shared shards stay up for the whole JVM");
    }
    run("stop");
  }

  public int port(int shardIndex) {
    return ports.get(shardIndex - 1);
  }

  public List<Integer> ports() {
    return ports;
  }

  /** SIGKILLs one shard's mariadbd, like a crash. */
  public void kill(int shardIndex) {
    run("stop", "--shard", String.valueOf(shardIndex), "--kill");
  }

  /** SIGSTOPs one shard's mariadbd: it accepts TCP connections but never answers, like a hung host. */
  public void freeze(int shardIndex) {
    signal(shardIndex, "STOP");
  }

  /** SIGCONTs a frozen shard. */
  public void thaw(int shardIndex) {
    signal(shardIndex, "CONT");
  }

  private void signal(int shardIndex, String signal) {
    try {
      String pid = Files.readString(dir.resolve("shard" + shardIndex).resolve("mariadbd.pid")).trim();
      Process p = new ProcessBuilder("kill", "-" + signal, pid).redirectErrorStream(true).start();
      if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException("kill -" + signal + " " + pid + " failed: "
            + new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot signal shard " + shardIndex + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public void start(int shardIndex) {
    run(startArgs("--shard", String.valueOf(shardIndex)));
  }

  /** The pid of a running shard's mariadbd. */
  public long pid(int shardIndex) {
    try {
      return Long.parseLong(Files.readString(dir.resolve("shard" + shardIndex).resolve("mariadbd.pid")).trim());
    } catch (IOException e) {
      throw new IllegalStateException("no pid file for shard " + shardIndex + ": " + e.getMessage(), e);
    }
  }

  private String[] startArgs(String... which) {
    List<String> args = new ArrayList<>(List.of("start"));
    args.addAll(List.of(which));
    args.addAll(List.of("--ports", join(ports)));
    if (fast) {
      args.add("--fast");
    }
    return args.toArray(String[]::new);
  }

  /** At JVM exit: stops the shards and deletes their data (each test run would leave ~0.5 GB). */
  private void stopAllQuietly() {
    try {
      run("stop");
    } catch (RuntimeException ignored) {
      // the JVM is exiting; the processes die with their data dir anyway
    }
    try (var paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | RuntimeException ignored) {
      // best effort: a leftover temp dir is not worth failing the run for
    }
  }

  private void run(String... args) {
    Path script = Repo.root().resolve("scripts/local-shards");
    List<String> cmd = new ArrayList<>(List.of("bash", script.toString()));
    cmd.addAll(List.of(args));
    cmd.addAll(List.of("--dir", dir.toString()));
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException(
            "MariaDB shards: '" + String.join(" ", cmd) + "' failed. Is mariadb-server installed "
                + "(apt-get install -y mariadb-server)?\n" + out);
      }
    } catch (IOException e) {
      throw new IllegalStateException("could not run " + script + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static String join(List<Integer> ports) {
    return String.join(",", ports.stream().map(String::valueOf).toList());
  }

  static List<Integer> freePorts(int n) throws IOException {
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < n; i++) {
        sockets.add(new ServerSocket(0));
      }
      return sockets.stream().map(ServerSocket::getLocalPort).toList();
    } finally {
      for (ServerSocket s : sockets) {
        s.close();
      }
    }
  }
}
