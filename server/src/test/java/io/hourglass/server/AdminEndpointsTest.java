package io.hourglass.server;

import static io.hourglass.server.Jobs.ackSucceeded;
import static io.hourglass.server.Jobs.dequeue;
import static io.hourglass.server.Jobs.enqueue;
import static io.hourglass.server.Jobs.job;
import static io.hourglass.testing.TestServer.CONTEXT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.hourglass.testing.LocalShards;
import io.hourglass.testing.MutableClock;
import io.hourglass.testing.ShardFile;
import io.hourglass.testing.ShardFile.Entry;
import io.hourglass.testing.PrometheusText;
import io.hourglass.testing.TestServer;
import io.hourglass.testing.TestServer.HttpAnswer;
import io.hourglass.thrift.PinLater;
import io.hourglass.thrift.PinLaterException;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The admin HTTP port: /health, /shards and /metrics as ops and Prometheus read them. */
class AdminEndpointsTest {
  static final LocalShards local = LocalShards.get();
  static final String database = TestServer.newDatabase();
  static TestServer server;

  @BeforeAll
  static void startWithOneDrainingShard() {
    List<Entry> entries = List.of(Entry.of(1, local.port(1), database), Entry.of(2, local.port(2), database),
        Entry.of(3, local.port(3), database).draining());
    server = TestServer.startWithShardFile(MutableClock.startingNow(),
        Map.of("dequeue.emptySlotCacheMillis", "0",
            // Maintenance cycles run when the test says so.
            "maintenance.rescueIntervalMillis", "3600000", "maintenance.gcIntervalMillis", "3600000"),
        ShardFile.newFile(ShardFile.json(entries, List.of())));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void healthAnswers200WhileShardsServe() {
    HttpAnswer a = server.adminGet("/health");
    assertEquals(200, a.status());
    assertTrue(a.body().startsWith("ok"), a.body());
  }

  @Test
  void healthAnswers503WhenNoShardIsHealthy() throws Exception {
    int nothingListens;
    try (ServerSocket s = new ServerSocket(0)) {
      nothingListens = s.getLocalPort();
    }
    String file = ShardFile.json(List.of(Entry.of(7, nothingListens, database)), List.of());
    try (TestServer dead = TestServer.startWithShardFile(MutableClock.startingNow(), Map.of(),
        ShardFile.newFile(file))) {
      assertEquals(503, dead.adminGet("/health").status());
      assertEquals("down", ShardFile.shards(dead).get(7).get("state").asText());
      PinLaterException e = assertThrows(PinLaterException.class, () -> enqueue(dead.client(), "q", job("x", 1)));
      assertEquals(io.hourglass.thrift.ErrorCode.NO_HEALTHY_SHARDS, e.getErrorCode(), e.getMessage());
    }
  }

  @Test
  void shardsListsEveryShardWithAddressStateAndPoolFigures() throws Exception {
    PinLater.Client c = server.client();
    c.createQueue(CONTEXT, "listed");
    Map<Integer, JsonNode> shards = ShardFile.shards(server);
    assertEquals(Set.of(1, 2, 3), shards.keySet());
    for (int id = 1; id <= 3; id++) {
      JsonNode s = shards.get(id);
      assertEquals("127.0.0.1:" + local.port(id), s.get("host").asText());
      assertEquals(id == 3 ? "draining" : "healthy", s.get("state").asText());
      JsonNode pool = s.get("pool");
      for (String figure : List.of("active", "idle", "total", "waiting")) {
        assertTrue(pool.get(figure).isInt(), id + ": pool." + figure);
      }
      assertTrue(pool.get("total").asInt() >= pool.get("active").asInt() + pool.get("idle").asInt() - 1);
      assertTrue(pool.get("total").asInt() > 0, "shard " + id + " has connections");
    }
    assertEquals(0, shards.get(3).get("unfinishedJobs").asLong(), "a draining shard reports what is left");
    assertTrue(server.adminGet("/shards").contentType().startsWith("application/json"));
  }

  @Test
  void unknownPathsAndMethodsAreRefused() throws Exception {
    assertEquals(404, server.adminGet("/nope").status());
    var post = java.net.http.HttpClient.newHttpClient().send(
        java.net.http.HttpRequest.newBuilder(java.net.URI.create(
            "http://127.0.0.1:" + server.server().adminPort() + "/health"))
            .POST(java.net.http.HttpRequest.BodyPublishers.noBody()).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    assertEquals(405, post.statusCode());
  }

  @Test
  void metricsAreStrictPrometheusTextWithRpcQueueShardJvmPoolAndReloadSeries() throws Exception {
    PinLater.Client c = server.client();
    c.createQueue(CONTEXT, "metered");
    List<String> ds = enqueue(c, "metered", job("a", 1), job("b", 1), job("c", 2));
    ackSucceeded(c, "metered", new ArrayList<>(dequeue(c, "metered", 10).getJobs().keySet()));
    assertThrows(PinLaterException.class, () -> enqueue(c, "noSuchQueue", job("x", 1)));
    server.server().rescuer().runOnce();
    server.server().pruner().runOnce();

    HttpAnswer a = server.adminGet("/metrics");
    assertEquals(200, a.status());
    assertTrue(a.contentType().startsWith("text/plain; version=0.0.4"), a.contentType());
    PrometheusText.Scrape m = PrometheusText.parse(a.body());
    assertEquals("histogram", m.types().get("hourglass_rpc_latency_seconds"));
    assertEquals(1, m.value("hourglass_rpc_latency_seconds_count{rpc=\"dequeueJobs\"}"));
    assertTrue(m.value("hourglass_rpc_latency_seconds_sum{rpc=\"enqueueJobs\"}") > 0);
    assertEquals(1, m.value("hourglass_rpc_errors_total{code=\"QUEUE_NOT_FOUND\",rpc=\"enqueueJobs\"}"));
    assertEquals(3, m.value("hourglass_queue_enqueued_total{queue=\"metered\"}"));
    assertEquals(3, m.value("hourglass_queue_dequeued_total{queue=\"metered\"}"));
    assertEquals(3, m.value("hourglass_queue_acked_succeeded_total{queue=\"metered\"}"));
    assertEquals(0, m.count("hourglass_queue_enqueued_total{queue=\"noSuchQueue\"}"));
    assertTrue(m.value("hourglass_maintenance_cycles_total{outcome=\"ran\",task=\"rescue\"}") >= 1);
    assertEquals(1, m.value("hourglass_shard_up{shard=\"1\"}"));
    assertEquals(1, m.value("hourglass_shard_state{shard=\"3\",state=\"draining\"}"));
    assertTrue(m.series().containsKey("hourglass_shard_errors_total{shard=\"2\"}"));
    assertTrue(m.series().containsKey("hourglass_hikaricp_connections_active{pool=\"shard-1\"}"), "HikariCP's own metrics");
    assertTrue(m.series().containsKey("hourglass_hikaricp_connections_acquire_seconds_count{pool=\"shard-1\"}"));
    assertTrue(m.sum("hourglass_jvm_memory_used_bytes{") > 0, "JVM memory");
    assertTrue(m.count("hourglass_jvm_gc_") > 0, "JVM GC");
    assertTrue(m.value("hourglass_jvm_threads_live_threads") > 0, "JVM threads");
    assertEquals(0, m.value("hourglass_config_reloads_accepted_total{file=\"shards\"}"));
    assertEquals(0, m.value("hourglass_config_reloads_rejected_total{file=\"shards\"}"));
    assertTrue(m.value("hourglass_cluster_live_servers") >= 1);
    assertEquals(3, ds.size());
  }
}
