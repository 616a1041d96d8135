package io.hourglass.server;

import static io.hourglass.server.Jobs.ackSucceeded;
import static io.hourglass.server.Jobs.dequeue;
import static io.hourglass.server.Jobs.enqueue;
import static io.hourglass.server.Jobs.job;
import static io.hourglass.server.Jobs.shardOf;
import static io.hourglass.testing.TestServer.CONTEXT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hourglass.testing.Eventually;
import io.hourglass.testing.LocalShards;
import io.hourglass.testing.MutableClock;
import io.hourglass.testing.ShardFile;
import io.hourglass.testing.ShardFile.Entry;
import io.hourglass.testing.TestServer;
import io.hourglass.thrift.ErrorCode;
import io.hourglass.thrift.PinLater;
import io.hourglass.thrift.PinLaterDequeueResponse;
import io.hourglass.thrift.PinLaterException;
import io.hourglass.thrift.PinLaterJobInfo;
import io.hourglass.thrift.PinLaterJobState;
import io.hourglass.thrift.PinLaterLookupJobRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Shards that die or hang under traffic. These tests kill and freeze mariadbd processes, so they
 * run on a shard set of their own ({@link LocalShards#dedicated}), never on the shared one, and
 * bring every shard back before they finish.
 */
class ShardFailoverTest {
  static final Duration WITHIN = Duration.ofSeconds(20);
  static final Duration CLAIM_TIMEOUT = Duration.ofMinutes(1);
  static LocalShards shards;
  final MutableClock clock = MutableClock.startingNow();
  TestServer server;

  @BeforeAll
  static void startOwnShards() {
    shards = LocalShards.dedicated(3);
  }

  @AfterAll
  static void stopOwnShards() {
    shards.stopAll();
  }

  @AfterEach
  void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  private TestServer start(List<Integer> shardIndexes, Map<String, String> extra) {
    String database = TestServer.newDatabase();
    List<Entry> entries = new ArrayList<>();
    shardIndexes.forEach(i -> entries.add(Entry.of(i, shards.port(i), database)));
    Path file = ShardFile.newFile(ShardFile.json(entries, List.of()));
    Map<String, String> settings = new java.util.HashMap<>(Map.of(
        "health.probeIntervalMillis", "200", "health.probeTimeoutMillis", "500",
        "dequeue.emptySlotCacheMillis", "0",
        "maintenance.claimTimeoutMillis", String.valueOf(CLAIM_TIMEOUT.toMillis()),
        // Maintenance runs when the test says so, not on its own.
        "maintenance.rescueIntervalMillis", "3600000", "maintenance.gcIntervalMillis", "3600000"));
    settings.putAll(extra);
    server = TestServer.startWithShardFile(clock, settings, file);
    return server;
  }

  private String state(int shard) {
    return ShardFile.shards(server).get(shard).get("state").asText();
  }

  private boolean healthyWithQueues(int shard) {
    var s = ShardFile.shards(server).get(shard);
    return s.get("state").asText().equals("healthy") && s.get("queuesSynced").asBoolean();
  }

  /** Enqueuers and dequeuers (dequeue, then ack in a separate call) running until stopped. */
  static final class Traffic {
    record Failure(long startNanos, String what, Exception error) {}

    final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    final Set<String> unacked = ConcurrentHashMap.newKeySet();
    final List<Failure> failures = new CopyOnWriteArrayList<>();
    final List<Long> enqueuedAt = new CopyOnWriteArrayList<>();
    final List<Long> dequeuedAt = new CopyOnWriteArrayList<>();
    final AtomicBoolean running = new AtomicBoolean(true);
    final List<Thread> threads = new ArrayList<>();

    Traffic(TestServer server, String queue) {
      for (int t = 0; t < 2; t++) {
        PinLater.Client c = server.client();
        int worker = t;
        threads.add(new Thread(() -> {
          for (int n = 0; running.get(); n++) {
            long start = System.nanoTime();
            try {
              acknowledged.addAll(enqueue(c, queue, job("w" + worker + "-" + n, 1), job("w" + worker + "-" + n, 2)));
              enqueuedAt.add(start);
            } catch (Exception e) {
              failures.add(new Failure(start, "enqueue", e));
            }
          }
        }, "enqueuer-" + t));
        PinLater.Client d = server.client();
        threads.add(new Thread(() -> {
          while (running.get()) {
            long start = System.nanoTime();
            List<String> got;
            try {
              PinLaterDequeueResponse r = dequeue(d, queue, 10);
              got = new ArrayList<>(r.getJobs().keySet());
              if (!got.isEmpty()) {
                dequeuedAt.add(start);
              }
            } catch (Exception e) {
              failures.add(new Failure(start, "dequeue", e));
              continue;
            }
            try {
              ackSucceeded(d, queue, got);
            } catch (Exception e) {
              unacked.addAll(got); // the shard of some of them is down: acked again later
            }
          }
        }, "dequeuer-" + t));
      }
      threads.forEach(Thread::start);
    }

    void stop() throws InterruptedException {
      running.set(false);
      for (Thread t : threads) {
        t.join();
      }
    }

    List<Failure> failuresStartedBetween(long from, long to) {
      return failures.stream().filter(f -> f.startNanos() >= from && f.startNanos() < to).toList();
    }

    static long countBetween(List<Long> starts, long from, long to) {
      return starts.stream().filter(s -> s >= from && s < to).count();
    }
  }

  @Test
  void killedShardLeavesRotationKeepsTheOthersServingAndLosesNoAcknowledgedJob() throws Exception {
    start(List.of(1, 2, 3), Map.of());
    PinLater.Client client = server.client();
    String queue = "failover";
    client.createQueue(CONTEXT, queue);

    Traffic traffic = new Traffic(server, queue);
    long downAt;
    long restartAt;
    long leftMs;
    long backMs;
    try {
      Thread.sleep(1000);
      shards.kill(2);
      leftMs = Eventually.await(WITHIN, "killed shard 2 out of rotation", () -> state(2).equals("down"));
      downAt = System.nanoTime();
      Thread.sleep(2000);
      restartAt = System.nanoTime();
    } finally {
      shards.start(2); // returns once mariadbd answers; the shared state of this set is whole again
    }
    backMs = Eventually.await(WITHIN, "restarted shard 2 back in rotation", () -> healthyWithQueues(2));
    Thread.sleep(1000);
    traffic.stop();
    System.out.printf("shard 2 killed: out of rotation after %d ms; restarted: back after %d ms%n", leftMs, backMs);

    // While shard 2 was out of rotation, the others served every request.
    assertEquals(List.of(), traffic.failuresStartedBetween(downAt, restartAt),
        "requests failed although shard 2 was already out of rotation");
    assertTrue(Traffic.countBetween(traffic.enqueuedAt, downAt, restartAt) > 0, "no enqueue while shard 2 was down");
    assertTrue(Traffic.countBetween(traffic.dequeuedAt, downAt, restartAt) > 0, "no dequeue while shard 2 was down");

    // It takes enqueues again.
    boolean reached = false;
    for (int i = 0; i < 300 && !reached; i++) {
      reached = shardOf(enqueue(client, queue, job("back", 1)).get(0)) == 2;
    }
    assertTrue(reached, "no enqueue reached shard 2 after it came back");

    assertNothingLostOrStranded(client, queue, traffic);
  }

  @Test
  void restartedShardRejoinsOnceAndStaysInRotationUnderTraffic() throws Exception {
    start(List.of(1, 2, 3), Map.of());
    PinLater.Client client = server.client();
    String queue = "rejoin";
    client.createQueue(CONTEXT, queue);

    Traffic traffic = new Traffic(server, queue);
    long rejoinMs;
    long downsAtRejoin;
    long onShard2AtRejoin;
    try {
      Thread.sleep(1000);
      long downsBefore = ShardFile.shards(server).get(2).get("downs").asLong();
      shards.kill(2);
      Eventually.await(WITHIN, "killed shard 2 out of rotation", () -> state(2).equals("down"));
      // Down long enough for the request pool's reconnect backoff to reach its cap (5 s): the
      // case where a restarted shard used to rejoin, fail a request on an empty pool and leave
      // again, several times over.
      Thread.sleep(6000);
      shards.start(2); // returns once mariadbd answers
      rejoinMs = Eventually.await(WITHIN, "restarted shard 2 back in rotation", () -> healthyWithQueues(2));
      downsAtRejoin = ShardFile.shards(server).get(2).get("downs").asLong();
      onShard2AtRejoin = traffic.acknowledged.stream().filter(d -> shardOf(d) == 2).count();
      assertEquals(downsBefore + 1, downsAtRejoin, "shard 2 went down more than once before it rejoined");
      // Traffic on it for a while: it must stay in.
      long until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      while (System.nanoTime() < until) {
        assertEquals("healthy", state(2), "restarted shard 2 left rotation again after it rejoined");
        Thread.sleep(50);
      }
    } finally {
      traffic.stop();
    }
    System.out.printf("shard 2 killed and restarted: back in rotation %d ms after mariadbd answered%n", rejoinMs);
    assertEquals(downsAtRejoin, ShardFile.shards(server).get(2).get("downs").asLong(),
        "shard 2 was taken out of rotation again after it rejoined");
    // Rejoining waits for the request pool to have a connection, not for its reconnect backoff.
    assertTrue(rejoinMs < 2000, "restarted shard 2 rejoined only " + rejoinMs + " ms after it answered");
    assertTrue(traffic.acknowledged.stream().filter(d -> shardOf(d) == 2).count() > onShard2AtRejoin,
        "no enqueue reached shard 2 after it rejoined");
    assertNothingLostOrStranded(client, queue, traffic);
  }

  /** Drains the queue and checks that every acknowledged descriptor is there and SUCCEEDED. */
  private void assertNothingLostOrStranded(PinLater.Client client, String queue, Traffic traffic) throws Exception {
    // Nothing stranded: acks that failed go through now; claims whose answer was lost in the
    // crash come back after the claim timeout; then everything drains to SUCCEEDED.
    ackSucceeded(client, queue, new ArrayList<>(traffic.unacked));
    clock.advance(CLAIM_TIMEOUT.plusSeconds(1));
    server.server().rescuer().runOnce();
    PinLaterDequeueResponse r;
    while (!(r = dequeue(client, queue, 500)).getJobs().isEmpty()) {
      ackSucceeded(client, queue, new ArrayList<>(r.getJobs().keySet()));
    }

    List<String> all = new ArrayList<>(traffic.acknowledged);
    assertTrue(all.size() > 100, "too little traffic to prove anything: " + all.size());
    List<String> missing = new ArrayList<>();
    List<String> unfinished = new ArrayList<>();
    for (int from = 0; from < all.size(); from += 500) {
      List<String> page = all.subList(from, Math.min(all.size(), from + 500));
      Map<String, PinLaterJobInfo> found = client.lookupJobs(CONTEXT, new PinLaterLookupJobRequest(page));
      for (String d : page) {
        PinLaterJobInfo info = found.get(d);
        if (info == null) {
          missing.add(d);
        } else if (info.getJobState() != PinLaterJobState.SUCCEEDED) {
          unfinished.add(d + "=" + info.getJobState());
        }
      }
    }
    assertEquals(List.of(), missing, "acknowledged enqueues missing after the crash");
    assertEquals(List.of(), unfinished, "jobs stranded after the crash");
  }

  @Test
  void hungShardLeavesRotationAndComesBackWhenItAnswers() throws Exception {
    start(List.of(1, 2), Map.of("pool.socketTimeoutMillis", "5000"));
    PinLater.Client client = server.client();
    String queue = "hung";
    client.createQueue(CONTEXT, queue);
    long leftMs;
    try {
      shards.freeze(1);
      leftMs = Eventually.await(WITHIN, "frozen shard 1 out of rotation", () -> state(1).equals("down"));
      for (int i = 0; i < 20; i++) {
        assertEquals(2, shardOf(enqueue(client, queue, job("while-hung-" + i, 1)).get(0)));
        assertEquals(1, dequeue(client, queue, 1).getJobsSize());
      }
    } finally {
      shards.thaw(1);
    }
    long backMs = Eventually.await(WITHIN, "thawed shard 1 back in rotation", () -> healthyWithQueues(1));
    System.out.printf("shard 1 frozen: out of rotation after %d ms; thawed: back after %d ms%n", leftMs, backMs);
    boolean reached = false;
    for (int i = 0; i < 300 && !reached; i++) {
      reached = shardOf(enqueue(client, queue, job("thawed", 1)).get(0)) == 1;
    }
    assertTrue(reached, "no enqueue reached shard 1 after it answered again");
  }

  @Test
  void withEveryShardDownRequestsFailWithNoHealthyShardsAndHealthSays503() throws Exception {
    start(List.of(3), Map.of());
    PinLater.Client client = server.client();
    String queue = "alone";
    client.createQueue(CONTEXT, queue);
    String before = enqueue(client, queue, job("before", 1)).get(0);
    assertEquals(200, server.adminGet("/health").status());
    try {
      shards.kill(3);
      Eventually.await(WITHIN, "shard 3 down", () -> state(3).equals("down"));
      PinLaterException enq = assertThrows(PinLaterException.class, () -> enqueue(client, queue, job("x", 1)));
      assertEquals(ErrorCode.NO_HEALTHY_SHARDS, enq.getErrorCode(), enq.getMessage());
      PinLaterException deq = assertThrows(PinLaterException.class, () -> dequeue(client, queue, 1));
      assertEquals(ErrorCode.NO_HEALTHY_SHARDS, deq.getErrorCode(), deq.getMessage());
      assertEquals(503, server.adminGet("/health").status());
    } finally {
      shards.start(3);
    }
    Eventually.await(WITHIN, "shard 3 back", () -> healthyWithQueues(3));
    assertEquals(200, server.adminGet("/health").status());
    assertEquals(Set.of(before), dequeue(client, queue, 10).getJobs().keySet());
  }

  @Test
  void aDequeueStuckOnAFrozenShardAnswersBeforeItsClaimsCouldExpireAndReleasesTheLateClaims() throws Exception {
    Duration claimTimeout = Duration.ofSeconds(1); // the smallest a queue may have
    start(List.of(1, 2), Map.of("maintenance.claimTimeoutMillis", String.valueOf(claimTimeout.toMillis()),
        // The frozen shard stays in rotation long enough for the dequeues below to run into it.
        "health.probeTimeoutMillis", "5000", "pool.socketTimeoutMillis", "20000"));
    PinLater.Client client = server.client();
    String queue = "frozen_claims";
    client.createQueue(CONTEXT, queue);
    Map<Integer, List<String>> byShard = Map.of(1, new ArrayList<>(), 2, new ArrayList<>());
    for (int i = 0; i < 300 && (byShard.get(1).size() < 3 || byShard.get(2).size() < 3); i++) {
      String d = enqueue(client, queue, job("j" + i, 1).setNumAttemptsAllowed(2)).get(0);
      byShard.get(shardOf(d)).add(d);
    }
    assertTrue(byShard.get(1).size() >= 3 && byShard.get(2).size() >= 3, "jobs on both shards: " + byShard);

    List<String> delivered = new ArrayList<>();
    List<Long> answeredAfterMillis = new ArrayList<>();
    try {
      shards.freeze(2);
      for (int i = 0; i < 3; i++) {
        long start = System.nanoTime();
        try {
          delivered.addAll(dequeue(client, queue, 100).getJobs().keySet());
        } catch (PinLaterException e) {
          // Shard 2 was asked first and nothing was claimed before the deadline.
          assertEquals(ErrorCode.SHARD_CONNECTION_FAILED, e.getErrorCode(), e.getMessage());
        }
        answeredAfterMillis.add(Duration.ofNanos(System.nanoTime() - start).toMillis());
      }
    } finally {
      shards.thaw(2);
    }
    System.out.printf("dequeues with shard 2 frozen answered after %s ms (claim timeout %d ms)%n",
        answeredAfterMillis, claimTimeout.toMillis());
    for (long ms : answeredAfterMillis) {
      // Claimed after the dequeue started, so a claim expires no sooner than claimTimeout after it.
      assertTrue(ms < claimTimeout.toMillis(),
          "a dequeue answered " + ms + " ms after it started: the claims it handed out could have expired");
    }
    assertTrue(byShard.get(1).containsAll(delivered), "jobs of the frozen shard were handed out: " + delivered);

    // Whatever shard 2 claimed for those dequeues once it ran again went back: PENDING, attempt
    // given back, and the next dequeue gets every one of them.
    Eventually.await(WITHIN, "shard 2's late claims released", () -> {
      try {
        Map<String, PinLaterJobInfo> found =
            client.lookupJobs(CONTEXT, new PinLaterLookupJobRequest(byShard.get(2)));
        return found.values().stream().allMatch(j ->
            j.getJobState() == PinLaterJobState.PENDING && j.getAttemptsRemaining() == j.getAttemptsAllowed());
      } catch (Exception e) {
        return false;
      }
    });
    Set<String> next = new java.util.HashSet<>();
    Eventually.await(WITHIN, "shard 2's jobs delivered", () -> {
      try {
        next.addAll(dequeue(client, queue, 100).getJobs().keySet());
      } catch (Exception e) {
        return false;
      }
      return next.containsAll(byShard.get(2));
    });
  }
}
