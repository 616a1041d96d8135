package io.hourglass.server;

import static io.hourglass.server.Jobs.dequeue;
import static io.hourglass.server.Jobs.job;
import static io.hourglass.server.Jobs.lookup;
import static io.hourglass.testing.TestServer.CONTEXT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hourglass.testing.Eventually;
import io.hourglass.testing.MutableClock;
import io.hourglass.testing.TestQueues;
import io.hourglass.testing.TestServer;
import io.hourglass.thrift.ErrorCode;
import io.hourglass.thrift.PinLater;
import io.hourglass.thrift.PinLaterCreateScheduleRequest;
import io.hourglass.thrift.PinLaterDeleteScheduleRequest;
import io.hourglass.thrift.PinLaterEnqueueRequest;
import io.hourglass.thrift.PinLaterEnqueueResponse;
import io.hourglass.thrift.PinLaterException;
import io.hourglass.thrift.PinLaterGetJobCountRequest;
import io.hourglass.thrift.PinLaterJob;
import io.hourglass.thrift.PinLaterJobAckInfo;
import io.hourglass.thrift.PinLaterJobAckRequest;
import io.hourglass.thrift.PinLaterJobAttempt;
import io.hourglass.thrift.PinLaterJobInfo;
import io.hourglass.thrift.PinLaterJobState;
import io.hourglass.thrift.PinLaterListSchedulesRequest;
import io.hourglass.thrift.PinLaterRetryFailedJobsRequest;
import io.hourglass.thrift.PinLaterSchedule;
import io.hourglass.thrift.PinLaterScanJobsRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * The extensions end to end: two servers on the same three MariaDB shards, plain Thrift
 * clients over real sockets, one hand-moved clock.
 */
class ExtensionsEndToEndTest {
  static final MutableClock clock = MutableClock.startingNow();
  static final String database = TestServer.newDatabase();
  static Map<String, String> settings;
  static TestServer a;
  static TestServer b;
  String queue;

  @BeforeAll
  static void twoServersOnTheSameShards() throws Exception {
    Path queueConfig = Files.createTempFile("queues-", ".json");
    Files.writeString(queueConfig, """
        {"queues": {"retried": {"retry": {"policy": "exponential", "baseMillis": 1000, "maxMillis": 4000, "jitter": 0}}}}
        """);
    settings = Map.of(
        "dequeue.emptySlotCacheMillis", "0",
        // Schedule tickers run all the time (every 100 ms of wall time) on both servers.
        "maintenance.scheduleIntervalMillis", "100",
        // The expiry sweep only when a test asks for it.
        "maintenance.expiryIntervalMillis", "3600000",
        "queueConfig", queueConfig.toString());
    a = TestServer.start(clock, settings, database);
    b = TestServer.start(clock, settings, database);
  }

  @AfterAll
  static void stop() {
    b.close();
    a.close();
  }

  @BeforeEach
  void newQueue(TestInfo info) throws Exception {
    queue = TestQueues.nameFor(info);
    a.client().createQueue(CONTEXT, queue);
  }

  static PinLaterJob keyed(String body, String key) {
    return job(body, 1).setUniqueKey(key);
  }

  @Test
  void twoServersEnqueueingOneKeyFromManyThreadsStoreOneJob() throws Exception {
    int threads = 16;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<PinLater.Client> clients = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      clients.add(t % 2 == 0 ? a.client() : b.client());
    }
    try {
      for (int round = 0; round < 10; round++) {
        String key = "order-" + round;
        List<Future<PinLaterEnqueueResponse>> results = new ArrayList<>();
        for (PinLater.Client c : clients) {
          results.add(pool.submit(() -> c.enqueueJobs(CONTEXT,
              new PinLaterEnqueueRequest(queue, List.of(keyed("x", key))))));
        }
        Set<String> descriptors = new HashSet<>();
        int stored = 0;
        for (Future<PinLaterEnqueueResponse> f : results) {
          PinLaterEnqueueResponse r = f.get();
          descriptors.add(r.getJobDescriptors().get(0));
          stored += r.isSetExistingJobIndexes() && r.getExistingJobIndexes().contains(0) ? 0 : 1;
        }
        assertEquals(1, descriptors.size(), "every racer got the same job for " + key);
        assertEquals(1, stored, "exactly one racer stored it");
      }
      assertEquals(10, a.client().getJobCount(CONTEXT, new PinLaterGetJobCountRequest(queue, PinLaterJobState.PENDING)));
    } finally {
      pool.shutdownNow();
    }
  }

  /** Every job of the queue, any state, counted by runAfter (the tick it was enqueued for). */
  Map<Long, Integer> jobsByTick() throws Exception {
    Map<Long, Integer> out = new TreeMap<>();
    for (PinLaterJobState state : PinLaterJobState.values()) {
      for (PinLaterJobInfo j : a.client().scanJobs(CONTEXT, new PinLaterScanJobsRequest(queue, state)
          .setPriority((byte) 2).setLimit(1000)).getScannedJobs()) {
        out.merge(j.getRunAfterTimestampMillis(), 1, Integer::sum);
      }
    }
    return out;
  }

  Map<Long, Integer> jobsByTickQuietly() {
    try {
      return jobsByTick();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void aScheduleOnTwoServersEnqueuesOneJobPerTickAlsoAcrossARestart() throws Exception {
    PinLaterSchedule s = a.client().createSchedule(CONTEXT, new PinLaterCreateScheduleRequest(queue,
        job("tick", 2).setNumAttemptsAllowed(1)).setIntervalMillis(60_000)).getSchedule();
    Map<Long, Integer> expected = new TreeMap<>();
    for (int n = 1; n <= 4; n++) {
      int i = n;
      clock.advance(Duration.ofMinutes(1));
      long tick = s.getCreatedAtTimestampMillis() + i * 60_000L;
      expected.put(tick, 1);
      Eventually.await(Duration.ofSeconds(10), "the job of tick " + i, () -> jobsByTickQuietly().containsKey(tick));
      Thread.sleep(500); // five more cycles of both tickers at this clock time
      assertEquals(expected, jobsByTick());
      if (i == 2) {
        b.close();
        b = TestServer.start(clock, settings, database);
      }
    }
    assertTrue(b.client().deleteSchedule(CONTEXT, new PinLaterDeleteScheduleRequest(s.getScheduleId())).isDeleted());
  }

  @Test
  void anExpiredJobIsNeverDequeuedAndEndsFailedSayingSo() throws Exception {
    long expiry = clock.millis() + 1000;
    String d = Jobs.enqueue(a.client(), queue, job("late", 1).setExpiresAtTimestampMillis(expiry)).get(0);
    clock.advance(Duration.ofSeconds(1));
    assertEquals(0, dequeue(a.client(), queue, 10).getJobsSize(), "expired: never handed out");
    assertEquals(0, dequeue(b.client(), queue, 10).getJobsSize(), "by either server");
    a.server().expirer().runOnce();
    PinLaterJobInfo info = lookup(a.client(), d);
    assertEquals(PinLaterJobState.FAILED, info.getJobState());
    assertEquals("expired at " + java.time.Instant.ofEpochMilli(expiry), info.getCustomStatus());
    assertEquals(1, a.client().getJobCount(CONTEXT, new PinLaterGetJobCountRequest(queue, PinLaterJobState.FAILED)));
    assertEquals(1, a.client().retryFailedJobs(CONTEXT, new PinLaterRetryFailedJobsRequest(queue)));
    assertEquals(Set.of(d), dequeue(a.client(), queue, 10).getJobs().keySet(), "redriven, it runs");
  }

  @Test
  void failureAcksGiveUpFollowTheQueuesPolicyAndLeaveAnAttemptHistory() throws Exception {
    PinLater.Client c = a.client();
    c.createQueue(CONTEXT, "retried");
    List<String> ds = Jobs.enqueue(c, "retried", job("policy", 1).setNumAttemptsAllowed(5),
        job("given up", 2).setNumAttemptsAllowed(5), job("own delay", 3).setNumAttemptsAllowed(5));
    {
      assertEquals(3, dequeue(c, "retried", 10).getJobsSize());
      c.ackDequeuedJobs(CONTEXT, new PinLaterJobAckRequest("retried").setJobsFailed(List.of(
          new PinLaterJobAckInfo(ds.get(0)).setAppendCustomStatus("timeout").setRetryDelayMillis(7)
              .setRetryDelayFromQueuePolicy(true),
          new PinLaterJobAckInfo(ds.get(1)).setAppendCustomStatus("bad input").setGiveUp(true),
          new PinLaterJobAckInfo(ds.get(2)).setRetryDelayMillis(60_000))));
      assertEquals(clock.millis() + 1000, lookup(c, ds.get(0)).getRunAfterTimestampMillis(), "the policy's first delay");
      assertEquals(PinLaterJobState.FAILED, lookup(c, ds.get(1)).getJobState());
      assertEquals(clock.millis() + 60_000, lookup(c, ds.get(2)).getRunAfterTimestampMillis(), "no flag: the ack's delay");
      clock.advance(Duration.ofSeconds(1));
      assertEquals(Set.of(ds.get(0)), dequeue(c, "retried", 10).getJobs().keySet());
      c.ackDequeuedJobs(CONTEXT, new PinLaterJobAckRequest("retried").setJobsFailed(List.of(
          new PinLaterJobAckInfo(ds.get(0)).setAppendCustomStatus("timeout again").setRetryDelayFromQueuePolicy(true))));
      assertEquals(clock.millis() + 2000, lookup(c, ds.get(0)).getRunAfterTimestampMillis(), "doubled");
      List<PinLaterJobAttempt> history = lookup(c, ds.get(0)).getAttempts();
      assertEquals(List.of(1, 2), history.stream().map(PinLaterJobAttempt::getAttempt).toList());
      assertEquals(List.of("timeout", "timeout again"), history.stream().map(PinLaterJobAttempt::getStatus).toList());
      assertEquals(CONTEXT.getSource(), history.get(1).getClaimDescriptor());
      assertEquals(clock.millis(), history.get(1).getTimestampMillis());
    }
  }

  static String refused(ErrorCode code, org.junit.jupiter.api.function.Executable call) {
    PinLaterException e = assertThrows(PinLaterException.class, call);
    assertEquals(code, e.getErrorCode(), e.getMessage());
    return e.getMessage();
  }

  @Test
  void badSchedulesKeysAndExpiriesAreRefusedNamingTheField() throws Exception {
    PinLater.Client c = a.client();
    PinLaterJob t = job("t", 1);
    assertTrue(refused(ErrorCode.CONTINUATION_INVALID, () -> c.createSchedule(CONTEXT,
        new PinLaterCreateScheduleRequest(queue, t).setCronExpression("every day"))).startsWith("cronExpression:"));
    assertTrue(refused(ErrorCode.CONTINUATION_INVALID, () -> c.createSchedule(CONTEXT,
        new PinLaterCreateScheduleRequest(queue, t).setCronExpression("0 9 * * *").setTimeZone("Mars/Base")))
        .startsWith("timeZone:"));
    assertTrue(refused(ErrorCode.CONTINUATION_INVALID, () -> c.createSchedule(CONTEXT,
        new PinLaterCreateScheduleRequest(queue, t).setIntervalMillis(999))).startsWith("intervalMillis:"));
    assertTrue(refused(ErrorCode.CONTINUATION_INVALID, () -> c.createSchedule(CONTEXT,
        new PinLaterCreateScheduleRequest(queue, job("t", 1).setUniqueKey("k")).setIntervalMillis(5000)))
        .startsWith("jobTemplate.uniqueKey:"));
    refused(ErrorCode.PRIORITY_NOT_SUPPORTED, () -> c.createSchedule(CONTEXT,
        new PinLaterCreateScheduleRequest(queue, job("t", 9)).setIntervalMillis(5000)));
    refused(ErrorCode.QUEUE_NOT_FOUND, () -> c.createSchedule(CONTEXT,
        new PinLaterCreateScheduleRequest("no_such_queue_x", t).setIntervalMillis(5000)));
    assertTrue(refused(ErrorCode.CONTINUATION_INVALID, () -> Jobs.enqueue(c, queue, keyed("x", "k".repeat(256))))
        .startsWith("jobs[0].uniqueKey:"));
    assertTrue(refused(ErrorCode.CONTINUATION_INVALID, () -> Jobs.enqueue(c, queue, job("x", 1),
        job("y", 1).setExpiresAtTimestampMillis(clock.millis()))).startsWith("jobs[1].expiresAtTimestampMillis:"));
    assertEquals(List.of(), c.listSchedules(CONTEXT, new PinLaterListSchedulesRequest().setQueueName(queue))
        .getSchedules());
  }
}
