package io.hourglass.bench;

import io.hourglass.client.ClientConfig;
import io.hourglass.client.HourglassClient;
import io.hourglass.client.HourglassException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The real server, {@code java -jar server/target/hourglass-server.jar} (or another build), as a process of its own
 * (so its CPU time can be read apart from the load client's), over a generated shard config.
 */
final class ServerProcess implements AutoCloseable {
  static final String DATABASE = "hourglass_bench";
  private static final Duration READY_WITHIN = Duration.ofSeconds(90);

  private final Process process;
  private final String address;

  private ServerProcess(Process process, String address) {
    this.process = process;
    this.address = address;
  }

  /**
   * @param extraArgs server config overrides ({@code key=value}) given on the bench command line
   */
  static ServerProcess start(ServerJar jar, Path repo, Path workDir, List<ShardSet.Shard> shards, int port,
      String deleteHash, List<String> jvmArgs, List<String> extraArgs) throws IOException, InterruptedException {
    Path shardFile = workDir.resolve("shards-" + shards.size() + ".json");
    Files.writeString(shardFile, shardConfig(shards));
    List<String> cmd = new ArrayList<>(List.of(javaBinary()));
    cmd.addAll(jvmArgs);
    cmd.addAll(List.of("-jar", jar.path().toString(),
        "thrift.host=127.0.0.1", "thrift.port=" + port, "admin.port=" + (port + 1),
        "shardConfig=" + shardFile, "queue.deletePasswordHash=" + deleteHash));
    cmd.addAll(extraArgs);
    Path log = workDir.resolve("server-" + jar.label() + "-" + shards.size() + "-shards.log");
    Process p = new ProcessBuilder(cmd).directory(repo.toFile()).redirectErrorStream(true)
        .redirectOutput(log.toFile()).start();
    ServerProcess server = new ServerProcess(p, "127.0.0.1:" + port);
    Runtime.getRuntime().addShutdownHook(new Thread(p::destroy, "bench-stop-server")); // on Ctrl-C
    server.awaitReady(log);
    return server;
  }

  static String shardConfig(List<ShardSet.Shard> shards) {
    return shards.stream()
        .map(s -> "    { \"id\": %d, \"host\": \"127.0.0.1\", \"port\": %d, \"user\": \"root\", \"password\": \"\", \"database\": \"%s\" }"
            .formatted(s.index(), s.port(), DATABASE))
        .collect(Collectors.joining(",\n", "{\n  \"shards\": [\n", "\n  ]\n}\n"));
  }

  String address() {
    return address;
  }

  long pid() {
    return process.pid();
  }

  private void awaitReady(Path log) throws InterruptedException {
    long deadline = System.nanoTime() + READY_WITHIN.toNanos();
    try (HourglassClient client = HourglassClient.connect(ClientConfig.of(address).withReadAttempts(1)
        .withRequestTimeout(Duration.ofSeconds(5)))) {
      while (true) {
        if (!process.isAlive()) {
          throw new IllegalStateException("bench: the server exited at start (code " + process.exitValue()
              + "); see " + log);
        }
        try {
          client.getQueueNames();
          return;
        } catch (HourglassException e) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException("bench: the server did not answer within " + READY_WITHIN.toSeconds()
                + " s (" + e.getMessage() + "); see " + log);
          }
          Thread.sleep(200);
        }
      }
    }
  }

  static String javaBinary() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /** Generates the deleteQueue password hash with the server's own tool (io.hourglass.server.edge.DeleteGuard). */
  static String deletePasswordHash(Path repo, String password) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(javaBinary(), "-cp", repo.resolve("server/target/hourglass-server.jar").toString(),
        "io.hourglass.server.edge.DeleteGuard", password).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes()).trim();
    if (p.waitFor() != 0 || !out.contains("=")) {
      throw new IOException("bench: could not generate a deleteQueue password hash: " + out);
    }
    return out.substring(out.indexOf('=') + 1);
  }

  @Override
  public void close() {
    process.destroy(); // SIGTERM: the server's shutdown hook closes its pools
    try {
      if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
