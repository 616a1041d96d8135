package io.hourglass.server;

import static io.hourglass.server.Jobs.ackSucceeded;
import static io.hourglass.server.Jobs.dequeue;
import static io.hourglass.server.Jobs.enqueue;
import static io.hourglass.server.Jobs.job;
import static io.hourglass.testing.TestServer.CONTEXT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hourglass.server.edge.DeleteGuard;
import io.hourglass.testing.MutableClock;
import io.hourglass.testing.PrometheusText;
import io.hourglass.testing.TestServer;
import io.hourglass.thrift.PinLater;
import io.hourglass.thrift.PinLaterCheckpointJobsRequest;
import io.hourglass.thrift.PinLaterEnqueueRequest;
import io.hourglass.thrift.PinLaterJobAckRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** /metrics as Prometheus scrapes it: bounded series, counters that only go up. */
class MetricsTest {
  static final MutableClock clock = MutableClock.startingNow();
  static final String PASSWORD = "metrics-test";
  static TestServer server;

  @BeforeAll
  static void start() {
    server = TestServer.start(clock, Map.of("queue.deletePasswordHash", DeleteGuard.hash(PASSWORD)));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static PrometheusText.Scrape scrape() {
    TestServer.HttpAnswer a = server.adminGet("/metrics");
    assertEquals(200, a.status());
    return PrometheusText.parse(a.body());
  }

  /** Issue 10 D6: requests naming absent queues used to create series without bound. */
  @Test
  void emptyRequestsForAbsentQueuesCreateNoSeries() throws Exception {
    PinLater.Client c = server.client();
    c.enqueueJobs(CONTEXT, new PinLaterEnqueueRequest().setQueueName("warmUp").setJobs(List.of()));
    c.ackDequeuedJobs(CONTEXT, new PinLaterJobAckRequest().setQueueName("warmUp")
        .setJobsSucceeded(List.of()).setJobsFailed(List.of()));
    c.checkpointJobs(CONTEXT, new PinLaterCheckpointJobsRequest().setQueueName("warmUp").setRequests(List.of()));
    scrape();
    int before = server.adminGet("/metrics").body().length();
    for (int i = 0; i < 500; i++) {
      c.enqueueJobs(CONTEXT, new PinLaterEnqueueRequest().setQueueName("ghostE" + i).setJobs(List.of()));
      c.ackDequeuedJobs(CONTEXT, new PinLaterJobAckRequest().setQueueName("ghostA" + i)
          .setJobsSucceeded(List.of()).setJobsFailed(List.of()));
      c.checkpointJobs(CONTEXT, new PinLaterCheckpointJobsRequest().setQueueName("ghostC" + i).setRequests(List.of()));
    }
    String body = server.adminGet("/metrics").body();
    assertTrue(!body.contains("ghost"), "series for absent queues");
    // The RPC histograms already exist; what grows is only what changed value (a few bytes).
    assertTrue(body.length() < before + 4096, "metrics grew from " + before + " to " + body.length() + " bytes");
  }

  @Test
  void countersAndHistogramsNeverGoDown() throws Exception {
    PinLater.Client c = server.client();
    c.createQueue(CONTEXT, "mono");
    enqueue(c, "mono", job("a", 1), job("b", 2));
    ackSucceeded(c, "mono", new ArrayList<>(dequeue(c, "mono", 10).getJobs().keySet()));
    PrometheusText.Scrape first = scrape();
    enqueue(c, "mono", job("c", 1));
    ackSucceeded(c, "mono", new ArrayList<>(dequeue(c, "mono", 10).getJobs().keySet()));
    clock.advance(java.time.Duration.ofMinutes(1));
    server.server().rescuer().runOnce();
    server.server().pruner().runOnce();
    server.server().counter().runOnce();
    server.server().dashboardData().refresh();
    PrometheusText.Scrape second = scrape();
    int checked = 0;
    for (var e : first.series().entrySet()) {
      String name = e.getKey().replaceAll("\\{.*", "");
      String family = first.types().keySet().stream().filter(name::startsWith)
          .max((x, y) -> Integer.compare(x.length(), y.length())).orElseThrow();
      String type = first.types().get(family);
      boolean monotonic = type.equals("counter") || (type.equals("histogram") && !name.endsWith("_max"));
      if (monotonic) {
        Double after = second.series().get(e.getKey());
        assertTrue(after != null, e.getKey() + " disappeared");
        assertTrue(after >= e.getValue(), e.getKey() + " went down: " + e.getValue() + " → " + after);
        checked++;
      }
    }
    assertTrue(checked > 50, "only " + checked + " monotonic series checked");
    assertEquals(second.value("hourglass_queue_enqueued_total{queue=\"mono\"}"),
        first.value("hourglass_queue_enqueued_total{queue=\"mono\"}") + 1);
    // _sum and _count are exact: the count is the number of calls made.
    assertEquals(first.value("hourglass_rpc_latency_seconds_count{rpc=\"enqueueJobs\"}") + 1,
        second.value("hourglass_rpc_latency_seconds_count{rpc=\"enqueueJobs\"}"));
  }

  @Test
  void queueDepthGaugesComeFromTheBackgroundCounts() throws Exception {
    PinLater.Client c = server.client();
    c.createQueue(CONTEXT, "depth");
    enqueue(c, "depth", job("a", 1), job("b", 1), job("c", 3));
    clock.advance(java.time.Duration.ofMinutes(1));
    server.server().counter().runOnce();
    server.server().dashboardData().refresh();
    PrometheusText.Scrape m = scrape();
    assertEquals(2, m.value("hourglass_queue_jobs{priority=\"1\",queue=\"depth\",state=\"pending\"}"));
    assertEquals(1, m.value("hourglass_queue_jobs{priority=\"3\",queue=\"depth\",state=\"pending\"}"));
    assertEquals(0, m.value("hourglass_queue_pending_future_jobs{queue=\"depth\"}"));
    assertTrue(m.series().containsKey("hourglass_queue_oldest_runnable_age_seconds{queue=\"depth\"}"));
    assertEquals(0, m.value("hourglass_queue_paused{queue=\"depth\"}"));
  }

  /** The counters are registered once and kept; a deleted queue's must not be kept past its series. */
  @Test
  void aDeletedQueuesCountersStartAgainFromZeroWhenItIsCreatedAgain() throws Exception {
    PinLater.Client c = server.client();
    String enqueued = "hourglass_queue_enqueued_total{queue=\"reborn\"}";
    c.createQueue(CONTEXT, "reborn");
    enqueue(c, "reborn", job("a", 1), job("b", 1));
    assertEquals(2, scrape().value(enqueued));

    c.deleteQueue(CONTEXT, "reborn", PASSWORD);
    server.server().dashboardData().refresh();
    assertFalse(scrape().series().containsKey(enqueued), "the deleted queue's series is gone");

    c.createQueue(CONTEXT, "reborn");
    enqueue(c, "reborn", job("c", 1));
    assertEquals(1, scrape().value(enqueued));
  }
}
