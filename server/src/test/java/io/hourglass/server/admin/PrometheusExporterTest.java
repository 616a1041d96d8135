package io.hourglass.server.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PrometheusExporterTest {

  @Test
  void dottedNamesBecomeSnakeCaseFamiliesWithTheKnownSegmentAsLabel() {
    assertEquals(new PrometheusExporter.Name("hourglass_rpc_latency", Map.of("rpc", "dequeueJobs")),
        PrometheusExporter.name("rpc.dequeueJobs.latency"));
    assertEquals(new PrometheusExporter.Name("hourglass_rpc_errors", Map.of("rpc", "ackDequeuedJobs", "code", "UNKNOWN")),
        PrometheusExporter.name("rpc.ackDequeuedJobs.errors.UNKNOWN"));
    assertEquals(new PrometheusExporter.Name("hourglass_queue_acked_succeeded", Map.of("queue", "Mail_2")),
        PrometheusExporter.name("queue.Mail_2.acked.succeeded"));
    assertEquals(new PrometheusExporter.Name("hourglass_cluster_live_servers", Map.of()),
        PrometheusExporter.name("cluster.liveServers"));
  }

  @Test
  void namesOutsidePrometheusRulesAreSanitised() {
    assertEquals("hourglass_weird_name_with_spaces_9lives", PrometheusExporter.sanitize("hourglass_weird-name.with spaces.9lives"));
    assertEquals("_9lives", PrometheusExporter.sanitize("9lives"));
    assertEquals("hourglass_dequeue_rate_limited", PrometheusExporter.sanitize("hourglass_dequeueRateLimited"));
  }

  @Test
  void countersMetersTimersAndGaugesRenderAsTheirPrometheusTypes() {
    MetricRegistry r = new MetricRegistry();
    r.counter("queue.a.acked.ignored").inc(4);
    r.meter("queue.a.enqueued").mark(7);
    r.timer("rpc.enqueueJobs.latency").update(2, TimeUnit.MILLISECONDS);
    r.register("cluster.liveServers", (Gauge<Integer>) () -> 3);
    r.register("some.text", (Gauge<String>) () -> "not a number");
    String out = PrometheusExporter.render(r, List.of());
    assertTrue(out.contains("# TYPE hourglass_queue_acked_ignored_total counter\n"
        + "hourglass_queue_acked_ignored_total{queue=\"a\"} 4\n"), out);
    assertTrue(out.contains("hourglass_queue_enqueued_total{queue=\"a\"} 7\n"), out);
    assertTrue(out.contains("# TYPE hourglass_rpc_latency_seconds summary\n"), out);
    assertTrue(out.contains("hourglass_rpc_latency_seconds{rpc=\"enqueueJobs\",quantile=\"0.5\"} 0.002\n"), out);
    assertTrue(out.contains("hourglass_rpc_latency_seconds_count{rpc=\"enqueueJobs\"} 1\n"), out);
    assertTrue(out.contains("hourglass_rpc_latency_seconds_sum{rpc=\"enqueueJobs\"} 0.002\n"), out);
    assertTrue(out.contains("# TYPE hourglass_cluster_live_servers gauge\nhourglass_cluster_live_servers 3\n"), out);
    assertTrue(!out.contains("not a number"), "non-numeric gauges are left out");
  }

  @Test
  void shardStatusBecomesPerShardSeries() {
    ShardStatus s = new ShardStatus(4, "db4", 3306, "hg", ShardStatus.State.DOWN, false, "refused", 10, 5, 2,
        new ShardStatus.Pool(1, 2, 3, 4), null);
    String out = PrometheusExporter.render(new MetricRegistry(), List.of(s));
    assertTrue(out.contains("hourglass_shard_up{shard=\"4\"} 0\n"), out);
    assertTrue(out.contains("hourglass_shard_state{shard=\"4\",state=\"down\"} 1\n"), out);
    assertTrue(out.contains("hourglass_shard_state{shard=\"4\",state=\"healthy\"} 0\n"), out);
    assertTrue(out.contains("hourglass_shard_errors_total{shard=\"4\"} 5\n"), out);
    assertTrue(out.contains("hourglass_shard_pool_connections{shard=\"4\",state=\"total\"} 3\n"), out);
    assertTrue(out.contains("hourglass_shard_pool_waiting_threads{shard=\"4\"} 4\n"), out);
  }
}
