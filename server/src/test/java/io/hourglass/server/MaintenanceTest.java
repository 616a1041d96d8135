package io.hourglass.server;

import static io.hourglass.server.Jobs.ackFailed;
import static io.hourglass.server.Jobs.ackSucceeded;
import static io.hourglass.server.Jobs.dequeue;
import static io.hourglass.server.Jobs.enqueue;
import static io.hourglass.server.Jobs.job;
import static io.hourglass.server.Jobs.lookup;
import static io.hourglass.testing.TestServer.CONTEXT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hourglass.server.maintenance.MaintenanceService;
import io.hourglass.server.maintenance.MaintenanceService.Outcome;
import io.hourglass.server.metrics.JobCounter;
import io.hourglass.testing.LocalShards;
import io.hourglass.testing.MutableClock;
import io.hourglass.testing.TestQueues;
import io.hourglass.testing.TestServer;
import io.hourglass.thrift.PinLater;
import io.hourglass.thrift.PinLaterCheckpointJobRequest;
import io.hourglass.thrift.PinLaterCheckpointJobsRequest;
import io.hourglass.thrift.PinLaterJobInfo;
import io.hourglass.thrift.PinLaterJobState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * Claim-timeout rescue and GC on real shards, driven by a hand-moved clock; and two servers on
 * the same shards sharing the maintenance work instead of doubling it.
 */
class MaintenanceTest {
  /** Long in wall time too: the servers' own schedules never fire during the test. */
  static final Duration INTERVAL = Duration.ofHours(1);
  static final Duration CLAIM_TIMEOUT = Duration.ofHours(2);
  static final Duration RETENTION = Duration.ofHours(3);
  static final int BATCH = 3;
  static final MutableClock clock = MutableClock.startingNow();
  static final String database = TestServer.newDatabase();
  static TestServer server;
  static TestServer second;
  PinLater.Client client;
  String queue;

  @BeforeAll
  static void startTwoServersOnTheSameShards() throws Exception {
    Path queueConfig = Files.createTempFile("queues-", ".json");
    Files.writeString(queueConfig, """
        {"queues": {
          "quickClaims": {"claimTimeoutMillis": 5000},
          "keptLong": {"retentionMillis": 864000000}
        }}
        """);
    Map<String, String> settings = new HashMap<>(Map.of(
        "dequeue.emptySlotCacheMillis", "0",
        // Cycles run when a test calls runOnce(); the interval is what "recently" means.
        "maintenance.rescueIntervalMillis", String.valueOf(INTERVAL.toMillis()),
        "maintenance.gcIntervalMillis", String.valueOf(INTERVAL.toMillis()),
        "maintenance.claimTimeoutMillis", String.valueOf(CLAIM_TIMEOUT.toMillis()),
        "maintenance.retentionMillis", String.valueOf(RETENTION.toMillis()),
        "maintenance.batchSize", String.valueOf(BATCH),
        "queueConfig", queueConfig.toString()));
    server = TestServer.start(clock, settings, database);
    second = TestServer.start(clock, settings, database);
  }

  @AfterAll
  static void stopServers() {
    second.close();
    server.close();
  }

  @BeforeEach
  void newQueue(TestInfo info) throws Exception {
    client = server.client();
    queue = TestQueues.nameFor(info);
    client.createQueue(CONTEXT, queue);
    // Every test starts a new maintenance cycle.
    clock.advance(INTERVAL);
  }

  private static Map<Integer, Outcome> cycle(TestServer s, Function<HourglassServer, MaintenanceService> task) {
    return task.apply(s.server()).runOnce();
  }

  private long count(JobCounter metric, String queue) {
    return server.server().metrics().counted(metric, queue) + second.server().metrics().counted(metric, queue);
  }

  private PinLaterJobState state(String descriptor) throws Exception {
    return lookup(client, descriptor).getJobState();
  }

  @Test
  void abandonedClaimsReturnAfterTheClaimTimeoutOrFailWithoutAttemptsLeft() throws Exception {
    List<String> retryable = enqueue(client, queue,
        job("a", 1).setNumAttemptsAllowed(3), job("b", 1).setNumAttemptsAllowed(3), job("c", 2).setNumAttemptsAllowed(3));
    String lastAttempt = enqueue(client, queue, job("d", 1).setNumAttemptsAllowed(1)).get(0);
    String kept = enqueue(client, queue, job("kept-alive", 3).setNumAttemptsAllowed(3)).get(0);
    // A worker takes them all and disappears without acking.
    assertEquals(5, dequeue(server.client(), queue, 10).getJobsSize());

    clock.advance(CLAIM_TIMEOUT.minusMinutes(10));
    // A live worker checkpoints its job: that renews the claim.
    client.checkpointJobs(CONTEXT, new PinLaterCheckpointJobsRequest(queue,
        List.of(new PinLaterCheckpointJobRequest(kept).setPrependCustomStatus("still working; "))));
    clock.advance(Duration.ofMinutes(9));
    assertEquals(Outcome.RAN, cycle(server, HourglassServer::rescuer).get(1));
    for (String d : retryable) {
      assertEquals(PinLaterJobState.IN_PROGRESS, state(d), "rescued before the claim timeout");
    }

    clock.advance(Duration.ofMinutes(2));
    clock.advance(INTERVAL); // the next cycle; the checkpoint is 1 h 11 min old, under the timeout
    cycle(server, HourglassServer::rescuer);
    for (String d : retryable) {
      PinLaterJobInfo info = lookup(client, d);
      assertEquals(PinLaterJobState.PENDING, info.getJobState(), d);
      assertEquals(2, info.getAttemptsRemaining(), "the abandoned claim used an attempt");
    }
    assertEquals(PinLaterJobState.FAILED, state(lastAttempt));
    assertEquals(PinLaterJobState.IN_PROGRESS, state(kept), "a checkpointed claim is not rescued");
    assertEquals(3, count(JobCounter.RESCUED_PENDING, queue));
    assertEquals(1, count(JobCounter.RESCUED_FAILED, queue));

    // Another worker gets the rescued jobs.
    var again = dequeue(client, queue, 10);
    assertEquals(new java.util.HashSet<>(retryable), again.getJobs().keySet());
    again.getJobMetadata().values().forEach(m -> assertEquals(2, m.getAttemptsRemaining()));
  }

  @Test
  void quickClaimsUseTheClaimTimeoutOfTheQueueConfig() throws Exception {
    client.createQueue(CONTEXT, "quickClaims");
    String quick = enqueue(client, "quickClaims", job("q", 1)).get(0);
    String normal = enqueue(client, queue, job("n", 1)).get(0);
    dequeue(client, "quickClaims", 1);
    dequeue(client, queue, 1);
    clock.advance(Duration.ofSeconds(6));
    cycle(server, HourglassServer::rescuer);
    assertEquals(PinLaterJobState.PENDING, state(quick), "5 s claim timeout of quickClaims");
    assertEquals(PinLaterJobState.IN_PROGRESS, state(normal), "default claim timeout of 2 h");
  }

  @Test
  void gcDeletesOnlyFinishedJobsOlderThanTheRetentionInBoundedBatches() throws Exception {
    client.createQueue(CONTEXT, "keptLong");
    List<String> succeeded = enqueue(client, queue, job("s1", 1), job("s2", 1), job("s3", 1), job("s4", 1), job("s5", 1));
    List<String> failed = enqueue(client, queue, job("f1", 2).setNumAttemptsAllowed(1), job("f2", 2).setNumAttemptsAllowed(1));
    String keptLong = enqueue(client, "keptLong", job("k", 1)).get(0);
    assertEquals(7, dequeue(client, queue, 10).getJobsSize());
    ackSucceeded(client, queue, succeeded);
    ackFailed(client, queue, failed, 0);
    dequeue(client, "keptLong", 1);
    ackSucceeded(client, "keptLong", List.of(keptLong));
    long later = clock.millis() + Duration.ofDays(30).toMillis(); // not claimable in this test
    List<String> pending = enqueue(client, queue,
        job("p1", 1).setRunAfterTimestampMillis(later), job("p2", 3).setRunAfterTimestampMillis(later));
    String inProgress = enqueue(client, queue, job("ip", 1)).get(0);
    assertEquals(List.of(inProgress), new ArrayList<>(dequeue(client, queue, 1).getJobs().keySet()));

    clock.advance(RETENTION.plusMinutes(1));
    String recent = enqueue(client, queue, job("recent", 1)).get(0);
    dequeue(client, queue, 1);
    ackSucceeded(client, queue, List.of(recent));

    cycle(server, HourglassServer::pruner);

    for (String d : succeeded) {
      assertNull(lookup(client, d), "old SUCCEEDED job kept: " + d);
    }
    for (String d : failed) {
      assertNull(lookup(client, d), "old FAILED job kept: " + d);
    }
    for (String d : pending) {
      assertEquals(PinLaterJobState.PENDING, state(d));
    }
    assertEquals(PinLaterJobState.IN_PROGRESS, state(inProgress), "unfinished jobs are never collected");
    assertEquals(PinLaterJobState.SUCCEEDED, state(recent), "finished within the retention");
    assertNotNull(lookup(client, keptLong), "keptLong has a 10-day retention");
    assertEquals(7, count(JobCounter.GC_DELETED, queue));
  }

  /** Runs one cycle of the task on both servers at the same moment; outcomes per shard. */
  private static List<Map<Integer, Outcome>> concurrentCycle(Function<HourglassServer, MaintenanceService> task)
      throws Exception {
    CountDownLatch go = new CountDownLatch(1);
    List<CompletableFuture<Map<Integer, Outcome>>> runs = new ArrayList<>();
    for (TestServer s : List.of(server, second)) {
      runs.add(CompletableFuture.supplyAsync(() -> {
        try {
          go.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return cycle(s, task);
      }));
    }
    go.countDown();
    List<Map<Integer, Outcome>> out = new ArrayList<>();
    for (CompletableFuture<Map<Integer, Outcome>> r : runs) {
      out.add(r.get());
    }
    return out;
  }

  @Test
  void twoServersOnTheSameShardsRunEachMaintenanceTaskOncePerShardPerCycle() throws Exception {
    int cycles = 4;
    for (String task : List.of("rescue", "gc")) {
      Function<HourglassServer, MaintenanceService> service =
          task.equals("rescue") ? HourglassServer::rescuer : HourglassServer::pruner;
      Map<Integer, Integer> ranPerShard = new HashMap<>();
      List<String> abandoned = new ArrayList<>();
      for (int c = 0; c < cycles; c++) {
        clock.advance(INTERVAL);
        abandoned.add(enqueue(client, queue, job(task + "-abandoned-" + c, 1).setNumAttemptsAllowed(10)).get(0));
        dequeue(client, queue, 10);
        clock.advance(CLAIM_TIMEOUT.plusSeconds(1));
        // Half the cycles start together (one server finds the lock held), half one after the
        // other (the second finds the task done a moment ago).
        List<Map<Integer, Outcome>> both = c % 2 == 0 ? concurrentCycle(service)
            : List.of(cycle(server, service), cycle(second, service));
        for (int shard = 1; shard <= LocalShards.COUNT; shard++) {
          int ran = 0;
          for (Map<Integer, Outcome> outcomes : both) {
            Outcome o = outcomes.get(shard);
            assertTrue(o == Outcome.RAN || o == Outcome.HELD_ELSEWHERE || o == Outcome.RAN_RECENTLY,
                task + " on shard " + shard + ": " + o);
            ran += o == Outcome.RAN ? 1 : 0;
          }
          ranPerShard.merge(shard, ran, Integer::sum);
        }
      }
      for (int shard = 1; shard <= LocalShards.COUNT; shard++) {
        assertEquals(cycles, ranPerShard.get(shard), task + ": cycles that did the work on shard " + shard);
      }
      if (task.equals("rescue")) {
        for (String d : abandoned) {
          assertEquals(PinLaterJobState.PENDING, state(d), "the single runner rescued " + d);
        }
      }
    }
  }

  @Test
  void maintenanceCyclesReuseTheirLeaseConnectionsInsteadOfConnectingEveryTime() throws Exception {
    cycle(server, HourglassServer::rescuer); // may open one lease connection per shard
    long before = connections();
    int cycles = 10;
    for (int c = 0; c < cycles; c++) {
      clock.advance(INTERVAL);
      assertEquals(Outcome.RAN, cycle(server, HourglassServer::rescuer).get(1));
    }
    long opened = connections() - before - LocalShards.COUNT; // minus this test's own one per shard
    // Each cycle used to open a connection per shard (30 here), each costing 4 statements of set-up.
    assertTrue(opened <= LocalShards.COUNT, cycles + " rescue cycles on " + LocalShards.COUNT
        + " shards opened " + opened + " connections");
  }

  /** Connections every shard accepted so far (MariaDB's Connections counter; reading it opens one per shard). */
  private static long connections() throws Exception {
    long sum = 0;
    for (int port : LocalShards.get().ports()) {
      try (java.sql.Connection conn = java.sql.DriverManager.getConnection("jdbc:mysql://127.0.0.1:" + port + "/", "root", "");
          java.sql.ResultSet rs = conn.createStatement().executeQuery("SHOW GLOBAL STATUS LIKE 'Connections'")) {
        rs.next();
        sum += rs.getLong(2);
      }
    }
    return sum;
  }

  @Test
  void aShardWhoseMaintenanceLockIsHeldElsewhereIsSkippedThisCycle() throws Exception {
    String url = "jdbc:mysql://127.0.0.1:" + LocalShards.get().port(2) + "/" + database;
    try (java.sql.Connection other = java.sql.DriverManager.getConnection(url, "root", "");
        java.sql.PreparedStatement lock = other.prepareStatement("SELECT GET_LOCK(?, 0)")) {
      lock.setString(1, "hourglass_maintenance.rescue." + database);
      try (java.sql.ResultSet rs = lock.executeQuery()) {
        rs.next();
        assertEquals(1, rs.getInt(1), "the test holds the lock");
      }
      Map<Integer, Outcome> outcomes = cycle(server, HourglassServer::rescuer);
      assertEquals(Map.of(1, Outcome.RAN, 2, Outcome.HELD_ELSEWHERE, 3, Outcome.RAN), outcomes);
    }
    // The holder's connection is gone, and with it the lock: the next cycle runs there too.
    clock.advance(INTERVAL);
    assertEquals(Outcome.RAN, cycle(second, HourglassServer::rescuer).get(2));
  }
}
