package io.hourglass.server;

import static io.hourglass.server.Jobs.dequeue;
import static io.hourglass.server.Jobs.enqueue;
import static io.hourglass.server.Jobs.infos;
import static io.hourglass.server.Jobs.job;
import static io.hourglass.server.Jobs.lookup;
import static io.hourglass.testing.TestServer.CONTEXT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hourglass.testing.Eventually;
import io.hourglass.testing.MutableClock;
import io.hourglass.testing.TestServer;
import io.hourglass.thrift.ErrorCode;
import io.hourglass.thrift.PinLater;
import io.hourglass.thrift.PinLaterDequeueRequest;
import io.hourglass.thrift.PinLaterException;
import io.hourglass.thrift.PinLaterJob;
import io.hourglass.thrift.PinLaterJobAckRequest;
import io.hourglass.thrift.PinLaterJobState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The hot-reloaded queue-config file: dequeue rate limits shared among live servers, pausing,
 * and edits that are rejected while the previous settings keep applying.
 */
class QueueSettingsTest {
  final MutableClock clock = MutableClock.startingNow();
  final String database = TestServer.newDatabase();
  final List<TestServer> servers = new ArrayList<>();
  Path queueFile;

  @BeforeEach
  void writeQueueFile() throws Exception {
    queueFile = Files.createTempFile("queues-", ".json");
    Files.writeString(queueFile, "{\"queues\": {\"limited\": {\"dequeueRateLimit\": 10}}}");
  }

  @AfterEach
  void stopServers() {
    servers.forEach(TestServer::close);
  }

  private TestServer startServer() {
    Map<String, String> settings = new HashMap<>(Map.of(
        "queueConfig", queueFile.toString(), "config.pollMillis", "100",
        // Heartbeats happen when the test says (beat()), not on their own.
        "cluster.heartbeatMillis", "60000", "dequeue.emptySlotCacheMillis", "0"));
    TestServer s = TestServer.start(clock, settings, database);
    servers.add(s);
    return s;
  }

  private static int dequeued(PinLater.Client c, String queue, int limit) throws Exception {
    return dequeue(c, queue, limit).getJobsSize();
  }

  private static void assertRateLimited(org.junit.jupiter.api.function.Executable call) {
    PinLaterException e = assertThrows(PinLaterException.class, call);
    assertEquals(ErrorCode.DEQUEUE_RATE_LIMITED, e.getErrorCode(), e.getMessage());
  }

  private static List<PinLaterJob> jobs(int n) {
    List<PinLaterJob> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(job("j" + i, 1));
    }
    return out;
  }

  @Test
  void dequeueRateLimitIsSplitAmongTheLiveServers() throws Exception {
    TestServer a = startServer();
    TestServer b = startServer();
    assertEquals(2, a.server().liveServers().beat());
    assertEquals(2, b.server().liveServers().beat());
    PinLater.Client ca = a.client();
    PinLater.Client cb = b.client();
    ca.createQueue(CONTEXT, "limited");
    enqueue(ca, "limited", jobs(100).toArray(PinLaterJob[]::new));

    // 10 jobs/s over 2 servers: 5 per server per second, a second's worth at most at once.
    assertEquals(5, dequeued(ca, "limited", 100));
    assertRateLimited(() -> dequeued(ca, "limited", 100));
    assertEquals(5, dequeued(cb, "limited", 100));
    assertRateLimited(() -> dequeued(cb, "limited", 100));
    clock.advance(Duration.ofMillis(400));
    assertEquals(2, dequeued(ca, "limited", 100));
    clock.advance(Duration.ofSeconds(1));
    assertEquals(5, dequeued(ca, "limited", 100));

    // b leaves: a has the whole rate again.
    b.close();
    servers.remove(b);
    assertEquals(1, a.server().liveServers().beat());
    clock.advance(Duration.ofSeconds(1));
    assertEquals(10, dequeued(ca, "limited", 100));
    // Queues without a limit are not limited.
    ca.createQueue(CONTEXT, "free");
    enqueue(ca, "free", jobs(50).toArray(PinLaterJob[]::new));
    assertEquals(50, dequeued(ca, "free", 100));
  }

  @Test
  void pausedQueueRefusesDequeuesButStillAppliesPiggyBackedAcks() throws Exception {
    TestServer s = startServer();
    PinLater.Client c = s.client();
    c.createQueue(CONTEXT, "work");
    List<String> ds = enqueue(c, "work", job("a", 1), job("b", 1));
    assertEquals(2, dequeued(c, "work", 10));

    Files.writeString(queueFile, "{\"queues\": {\"work\": {\"dequeueRateLimit\": 0}}}");
    Eventually.await(Duration.ofSeconds(10), "pause applied",
        () -> s.server().metrics().counted("config.reloads.accepted", "file", "queues") == 1);

    enqueue(c, "work", job("c", 1));
    PinLaterDequeueRequest withAcks = new PinLaterDequeueRequest("work", 10)
        .setJobAckRequest(new PinLaterJobAckRequest("work").setJobsSucceeded(infos(ds, 0)));
    assertRateLimited(() -> c.dequeueJobs(CONTEXT, withAcks));
    for (String d : ds) {
      assertEquals(PinLaterJobState.SUCCEEDED, lookup(c, d).getJobState(), "piggy-backed ack applied: " + d);
    }

    // A broken edit is rejected; the queue stays paused.
    Files.writeString(queueFile, "{\"queues\": {\"work\": {\"dequeueRateLimit\": -1}}}");
    Eventually.await(Duration.ofSeconds(10), "bad edit rejected",
        () -> s.server().metrics().counted("config.reloads.rejected", "file", "queues") == 1);
    assertRateLimited(() -> dequeued(c, "work", 10));

    Files.writeString(queueFile, "{\"queues\": {}}");
    Eventually.await(Duration.ofSeconds(10), "unpause applied",
        () -> s.server().metrics().counted("config.reloads.accepted", "file", "queues") == 2);
    assertEquals(1, dequeued(c, "work", 10));
  }

  @Test
  void aServerWithABrokenQueueConfigDoesNotStart() throws Exception {
    Files.writeString(queueFile, "{\"queues\": {\"bad name!\": {}}}");
    IllegalStateException e = assertThrows(IllegalStateException.class, this::startServer);
    assertTrue(e.getMessage().contains(queueFile.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("queues.bad name!"), e.getMessage());
  }
}
