package io.hourglass.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The benchmark's own durable MariaDB shards (fsync on), started with {@code scripts/local-shards}
 * in a directory of their own and wiped at every start, so every run begins on empty tables.
 */
final class ShardSet implements AutoCloseable {
  /** Where a shard listens and which process it is. */
  record Shard(int index, int port, long pid) {
    String jdbcUrl(String database) {
      // The same connection properties as the server's pools (mysql/ShardPool).
      return "jdbc:mysql://127.0.0.1:" + port + "/" + database
          + "?createDatabaseIfNotExist=true&useAffectedRows=true&rewriteBatchedStatements=true"
          + "&cachePrepStmts=true&prepStmtCacheSize=500&user=root&password=";
    }
  }

  private final Path repo;
  private final Path dir;
  private final List<Shard> shards;

  private ShardSet(Path repo, Path dir, List<Shard> shards) {
    this.repo = repo;
    this.dir = dir;
    this.shards = shards;
  }

  static ShardSet start(Path repo, Path dir, int count, int basePort, String bufferPool, String redoLog)
      throws IOException, InterruptedException {
    localShards(repo, dir, "stop"); // a run that died left them running
    wipeShardData(dir);
    localShards(repo, dir, "start", "--count", String.valueOf(count), "--base-port", String.valueOf(basePort),
        "--buffer-pool", bufferPool, "--redo-log", redoLog);
    ShardSet set = new ShardSet(repo, dir, readShards(dir, count));
    // Ctrl-C ends the JVM without unwinding try-with-resources; stopping twice is harmless.
    Runtime.getRuntime().addShutdownHook(new Thread(set::close, "bench-stop-shards"));
    return set;
  }

  private static List<Shard> readShards(Path dir, int count) throws IOException {
    List<Shard> shards = new ArrayList<>();
    for (int i = 1; i <= count; i++) {
      Path s = dir.resolve("shard" + i);
      int port = Integer.parseInt(Files.readString(s.resolve("port")).trim());
      long pid = Long.parseLong(Files.readString(s.resolve("mariadbd.pid")).trim());
      shards.add(new Shard(i, port, pid));
    }
    return List.copyOf(shards);
  }

  List<Shard> shards() {
    return shards;
  }

  List<Shard> first(int n) {
    return shards.subList(0, n);
  }

  @Override
  public synchronized void close() {
    try {
      localShards(repo, dir, "stop");
    } catch (IOException | InterruptedException e) {
      System.err.println("bench: could not stop the shards in " + dir + ": " + e.getMessage());
    }
  }

  private static void wipeShardData(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return;
    }
    try (Stream<Path> top = Files.list(dir)) {
      for (Path shard : top.filter(p -> p.getFileName().toString().startsWith("shard")).toList()) {
        try (Stream<Path> all = Files.walk(shard)) {
          for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
            Files.delete(p);
          }
        }
      }
    }
  }

  private static void localShards(Path repo, Path dir, String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("bash", repo.resolve("scripts/local-shards").toString()));
    cmd.addAll(List.of(args));
    cmd.addAll(List.of("--dir", dir.toString()));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.INHERIT).start();
    if (p.waitFor() != 0) {
      throw new IOException("scripts/local-shards " + String.join(" ", args) + " failed");
    }
  }
}
