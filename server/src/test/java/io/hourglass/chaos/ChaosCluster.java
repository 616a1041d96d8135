package io.hourglass.chaos;

import io.hourglass.client.ClientConfig;
import io.hourglass.client.HourglassClient;
import io.hourglass.testing.LocalShards;
import io.hourglass.testing.TestServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What the faults are injected into: durable MariaDB shards of their own and two server
 * processes over them, plus the suite's own client (for set-up, drain and checks).
 */
final class ChaosCluster implements AutoCloseable {
  static final String DATABASE = "hg_chaos";

  private final LocalShards shards;
  private final List<ServerProcess> servers;
  private final HourglassClient client;
  private final Path dir;

  private ChaosCluster(LocalShards shards, List<ServerProcess> servers, HourglassClient client, Path dir) {
    this.shards = shards;
    this.servers = servers;
    this.client = client;
    this.dir = dir;
  }

  /** Starts {@code plan.shards()} durable shards (fsync on) and two servers; {@code serverJar} may be null. */
  static ChaosCluster start(SuitePlan plan, Path dir, Path serverJar) {
    LocalShards shards = LocalShards.dedicated(plan.shards(), false);
    List<ServerProcess> servers = new ArrayList<>();
    try {
      Path shardFile = dir.resolve("shards.json");
      Files.writeString(shardFile, TestServer.shardJson(shards.ports(), DATABASE));
      List<String> settings = List.of(
          "shardConfig=" + shardFile,
          "maintenance.claimTimeoutMillis=" + plan.claimTimeout().toMillis(),
          "maintenance.rescueIntervalMillis=500",
          "health.probeIntervalMillis=200",
          "pool.connectTimeoutMillis=1000");
      List<Integer> ports = freePorts(4);
      for (int i = 0; i < 2; i++) {
        servers.add(new ServerProcess("server" + (i + 1), ports.get(2 * i), ports.get(2 * i + 1), settings,
            serverJar, dir.resolve("server" + (i + 1) + ".log")));
      }
      ChaosCluster cluster = new ChaosCluster(shards, servers, null, dir);
      Runtime.getRuntime().addShutdownHook(new Thread(() -> servers.forEach(ServerProcess::stop)));
      servers.forEach(ServerProcess::launch);
      servers.forEach(ServerProcess::awaitUp);
      HourglassClient client = HourglassClient.connect(ClientConfig.of(cluster.addresses(servers))
          .withSource("chaos-suite-" + ProcessHandle.current().pid()).withReadAttempts(5)
          .withRequestTimeout(Duration.ofSeconds(30)));
      return new ChaosCluster(shards, servers, client, dir);
    } catch (IOException e) {
      servers.forEach(ServerProcess::stop);
      shards.stopAll();
      throw new UncheckedIOException(e);
    } catch (RuntimeException e) {
      servers.forEach(ServerProcess::stop);
      shards.stopAll();
      throw e;
    }
  }

  String addresses(List<ServerProcess> which) {
    return String.join(",", which.stream().map(ServerProcess::address).toList());
  }

  LocalShards shards() {
    return shards;
  }

  List<ServerProcess> servers() {
    return servers;
  }

  HourglassClient client() {
    return client;
  }

  Path dir() {
    return dir;
  }

  /**
   * {@code shard}'s downs counted by all servers together, or -1 unless every server lists it
   * healthy in {@code GET /shards}.
   */
  long shardDownsIfHealthyEverywhere(int shard) {
    long downs = 0;
    for (ServerProcess s : servers) {
      ServerProcess.ShardState state = s.shardStates().get(shard);
      if (state == null || !state.healthy()) {
        return -1;
      }
      downs += state.downs();
    }
    return downs;
  }

  @Override
  public void close() {
    if (client != null) {
      client.close();
    }
    servers.forEach(ServerProcess::stop);
    shards.stopAll();
  }

  private static List<Integer> freePorts(int n) throws IOException {
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
