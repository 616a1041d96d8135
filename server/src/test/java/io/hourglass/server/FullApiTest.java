package io.hourglass.server;

import static io.hourglass.server.Jobs.ackFailed;
import static io.hourglass.server.Jobs.dequeue;
import static io.hourglass.server.Jobs.enqueue;
import static io.hourglass.server.Jobs.job;
import static io.hourglass.server.Jobs.lookup;
import static io.hourglass.server.Jobs.shardOf;
import static io.hourglass.testing.TestServer.CONTEXT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hourglass.server.edge.DeleteGuard;
import io.hourglass.testing.LocalShards;
import io.hourglass.testing.MutableClock;
import io.hourglass.testing.TestQueues;
import io.hourglass.testing.TestServer;
import io.hourglass.thrift.ErrorCode;
import io.hourglass.thrift.PinLater;
import io.hourglass.thrift.PinLaterCheckpointJobRequest;
import io.hourglass.thrift.PinLaterCheckpointJobsRequest;
import io.hourglass.thrift.PinLaterDeleteJobsRequest;
import io.hourglass.thrift.PinLaterDequeueRequest;
import io.hourglass.thrift.PinLaterDequeueResponse;
import io.hourglass.thrift.PinLaterEnqueueRequest;
import io.hourglass.thrift.PinLaterException;
import io.hourglass.thrift.PinLaterGetJobCountRequest;
import io.hourglass.thrift.PinLaterJob;
import io.hourglass.thrift.PinLaterJobAckInfo;
import io.hourglass.thrift.PinLaterJobAckRequest;
import io.hourglass.thrift.PinLaterJobInfo;
import io.hourglass.thrift.PinLaterJobState;
import io.hourglass.thrift.PinLaterRetryFailedJobsRequest;
import io.hourglass.thrift.PinLaterScanJobsRequest;
import io.hourglass.thrift.PinLaterScanJobsResponse;
import io.hourglass.thrift.RequestContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/** Every RPC of the PinLater API beyond the core, with the reference semantics and defaults. */
class FullApiTest {
  static final String PASSWORD = "s3cret-for-tests";
  static final MutableClock clock = MutableClock.startingNow();
  static TestServer server;
  PinLater.Client client;
  String queue;

  @BeforeAll
  static void startServer() {
    server = TestServer.start(clock, Map.of(
        "dequeue.emptySlotCacheMillis", "0", "queue.deletePasswordHash", DeleteGuard.hash(PASSWORD)));
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  @BeforeEach
  void newQueue(TestInfo info) throws Exception {
    client = server.client();
    queue = TestQueues.nameFor(info);
    client.createQueue(CONTEXT, queue);
  }

  private static void assertCode(ErrorCode code, String inMessage, org.junit.jupiter.api.function.Executable call) {
    PinLaterException e = assertThrows(PinLaterException.class, call);
    assertEquals(code, e.getErrorCode(), e.getMessage());
    assertTrue(e.getMessage().contains(inMessage), e.getMessage());
  }

  /** One job on every shard (enqueues go to a random shard, so retry until each has one). */
  private List<String> oneJobPerShard() throws Exception {
    Map<Integer, String> byShard = new java.util.TreeMap<>();
    for (int i = 0; byShard.size() < LocalShards.COUNT && i < 500; i++) {
      String d = enqueue(client, queue, job("on-shard", 1)).get(0);
      if (byShard.putIfAbsent(shardOf(d), d) != null) {
        // A second job on a shard: remove it so every shard holds exactly one.
        client.deleteJobs(CONTEXT, new PinLaterDeleteJobsRequest(queue, PinLaterJobState.PENDING).setLimit(1000));
        byShard.clear();
      }
    }
    assertEquals(LocalShards.COUNT, byShard.size());
    return new ArrayList<>(byShard.values());
  }

  private String failedJob(String body) throws Exception {
    String d = enqueue(client, queue, job(body, 1).setNumAttemptsAllowed(1)).get(0);
    dequeue(client, queue, 100);
    ackFailed(client, queue, List.of(d), 0);
    assertEquals(PinLaterJobState.FAILED, lookup(client, d).getJobState());
    return d;
  }

  // --- deleteQueue ---

  @Test
  void deleteQueueWithTheRightPasswordRemovesItFromEveryShard() throws Exception {
    enqueue(client, queue, job("x", 1));
    client.deleteQueue(CONTEXT, queue, PASSWORD);
    assertFalse(client.getQueueNames(CONTEXT).contains(queue));
    assertCode(ErrorCode.QUEUE_NOT_FOUND, queue, () -> enqueue(client, queue, job("y", 1)));
    client.deleteQueue(CONTEXT, queue, PASSWORD); // idempotent
  }

  @Test
  void deleteQueueWithAWrongOrMissingPasswordIsRefusedAndKeepsTheQueue() throws Exception {
    assertCode(ErrorCode.PASSWORD_INVALID, "password", () -> client.deleteQueue(CONTEXT, queue, "wrong"));
    assertCode(ErrorCode.PASSWORD_INVALID, "password", () -> client.deleteQueue(CONTEXT, queue, ""));
    assertTrue(client.getQueueNames(CONTEXT).contains(queue));
  }

  @Test
  void deleteQueueWithoutAConfiguredHashIsRefusedWithHowToConfigureIt() throws Exception {
    try (TestServer plain = TestServer.start(clock, Map.of())) {
      PinLater.Client c = plain.client();
      c.createQueue(CONTEXT, queue);
      assertCode(ErrorCode.PASSWORD_INVALID, "queue.deletePasswordHash", () -> c.deleteQueue(CONTEXT, queue, PASSWORD));
    }
  }

  // --- dequeue options ---

  @Test
  void dryRunReturnsRunnableJobsWithoutClaimingThem() throws Exception {
    String d = enqueue(client, queue, job("peek", 2)).get(0);
    PinLaterDequeueResponse dry = client.dequeueJobs(CONTEXT, new PinLaterDequeueRequest(queue, 10).setDryRun(true));
    assertEquals(Set.of(d), dry.getJobs().keySet());
    assertEquals(2, dry.getJobMetadata().get(d).getAttemptsRemaining(), "no attempt used");
    PinLaterJobInfo info = lookup(client, d);
    assertEquals(PinLaterJobState.PENDING, info.getJobState());
    assertEquals(Set.of(d), dequeue(client, queue, 10).getJobs().keySet());
  }

  @Test
  void smallCoverageAsksOnlyOneShard() throws Exception {
    oneJobPerShard();
    PinLaterDequeueResponse r = client.dequeueJobs(CONTEXT, new PinLaterDequeueRequest(queue, 10).setCoverage(0.01));
    assertEquals(1, r.getJobs().size());
    assertEquals(LocalShards.COUNT - 1, dequeue(client, queue, 10).getJobs().size());
  }

  @Test
  void coverageOutsideZeroToOneIsRejected() {
    assertCode(ErrorCode.CONTINUATION_INVALID, "coverage",
        () -> client.dequeueJobs(CONTEXT, new PinLaterDequeueRequest(queue, 1).setCoverage(0)));
    assertCode(ErrorCode.CONTINUATION_INVALID, "coverage",
        () -> client.dequeueJobs(CONTEXT, new PinLaterDequeueRequest(queue, 1).setCoverage(1.5)));
  }

  @Test
  void piggyBackedAcksAreAppliedWhenTheDequeueReturnsNothing() throws Exception {
    String d = enqueue(client, queue, job("x", 1)).get(0);
    dequeue(client, queue, 1);
    PinLaterDequeueResponse r = client.dequeueJobs(CONTEXT, new PinLaterDequeueRequest(queue, 5)
        .setJobAckRequest(new PinLaterJobAckRequest(queue).setJobsSucceeded(List.of(new PinLaterJobAckInfo(d)))));
    assertTrue(r.getJobs().isEmpty());
    assertEquals(PinLaterJobState.SUCCEEDED, lookup(client, d).getJobState());
  }

  @Test
  void piggyBackedAcksAreAppliedWhenTheDequeueIsRefused() throws Exception {
    String d = enqueue(client, queue, job("x", 1)).get(0);
    dequeue(client, queue, 1);
    assertCode(ErrorCode.CONTINUATION_INVALID, "limit", () -> client.dequeueJobs(CONTEXT,
        new PinLaterDequeueRequest(queue, 0).setJobAckRequest(
            new PinLaterJobAckRequest(queue).setJobsSucceeded(List.of(new PinLaterJobAckInfo(d))))));
    assertEquals(PinLaterJobState.SUCCEEDED, lookup(client, d).getJobState());
  }

  // --- checkpoint ---

  private void checkpoint(RequestContext ctx, PinLaterCheckpointJobRequest r) throws Exception {
    client.checkpointJobs(ctx, new PinLaterCheckpointJobsRequest(queue, List.of(r)));
  }

  private String claimedJob(String body) throws Exception {
    String d = enqueue(client, queue, job(body, 1).setNumAttemptsAllowed(3)).get(0);
    assertEquals(Set.of(d), dequeue(client, queue, 1).getJobs().keySet());
    return d;
  }

  @Test
  void checkpointHeartbeatRestartsTheClaimClock() throws Exception {
    String d = claimedJob("long");
    clock.advance(Duration.ofMinutes(5));
    checkpoint(CONTEXT, new PinLaterCheckpointJobRequest(d));
    PinLaterJobInfo info = lookup(client, d);
    assertEquals(PinLaterJobState.IN_PROGRESS, info.getJobState());
    assertEquals(clock.millis(), info.getUpdatedAtTimestampMillis());
  }

  @Test
  void checkpointReplacesTheBodyAndPrependsCustomStatus() throws Exception {
    String d = enqueue(client, queue, job("v1", 1).setCustomStatus("enqueued")).get(0);
    dequeue(client, queue, 1);
    checkpoint(CONTEXT, new PinLaterCheckpointJobRequest(d).setNewBody("v2").setPrependCustomStatus("step2;"));
    PinLaterJobInfo info = lookup(client, d);
    assertEquals("v2", Jobs.body(info.body));
    assertEquals("step2;enqueued", info.getCustomStatus());
  }

  @Test
  void checkpointMoveToPendingReschedulesWithoutUsingAnAttempt() throws Exception {
    String d = claimedJob("cron");
    long next = clock.millis() + 60_000;
    checkpoint(CONTEXT, new PinLaterCheckpointJobRequest(d).setMoveToPending(true).setRunAfterTimestampMillis(next));
    PinLaterJobInfo info = lookup(client, d);
    assertEquals(PinLaterJobState.PENDING, info.getJobState());
    assertEquals(next, info.getRunAfterTimestampMillis());
    assertEquals(3, info.getAttemptsRemaining());
    assertTrue(dequeue(client, queue, 1).getJobs().isEmpty());
    clock.advance(Duration.ofSeconds(60));
    assertEquals(Set.of(d), dequeue(client, queue, 1).getJobs().keySet());
  }

  @Test
  void checkpointWithNumOfAttemptsAllowedResetsBothCounters() throws Exception {
    String d = claimedJob("x");
    checkpoint(CONTEXT, new PinLaterCheckpointJobRequest(d).setNumOfAttemptsAllowed(7));
    PinLaterJobInfo info = lookup(client, d);
    assertEquals(7, info.getAttemptsAllowed());
    assertEquals(7, info.getAttemptsRemaining());
  }

  @Test
  void checkpointFromAnotherSourceIsIgnored() throws Exception {
    String d = claimedJob("mine");
    String me = CONTEXT.getSource();
    for (String other : List.of(me.substring(0, me.length() - 1), me + "0", me.toUpperCase() + "X", " " + me)) {
      checkpoint(new RequestContext(other),
          new PinLaterCheckpointJobRequest(d).setMoveToPending(true).setNewBody("stolen"));
    }
    PinLaterJobInfo info = lookup(client, d);
    assertEquals(PinLaterJobState.IN_PROGRESS, info.getJobState());
    assertEquals("mine", Jobs.body(info.body));
  }

  @Test
  void checkpointOfAJobThatIsNotInProgressIsIgnored() throws Exception {
    String d = enqueue(client, queue, job("pending", 1)).get(0);
    checkpoint(CONTEXT, new PinLaterCheckpointJobRequest(d).setNewBody("changed"));
    assertEquals("pending", Jobs.body(lookup(client, d).body));
  }

  @Test
  void checkpointWithZeroAttemptsIsRejected() throws Exception {
    String d = claimedJob("x");
    assertCode(ErrorCode.CONTINUATION_INVALID, "requests[0].numOfAttemptsAllowed",
        () -> checkpoint(CONTEXT, new PinLaterCheckpointJobRequest(d).setNumOfAttemptsAllowed(0)));
  }

  // --- custom status ---

  @Test
  void ackAppendsCustomStatusTruncatedToOneThousandCharacters() throws Exception {
    String d = enqueue(client, queue, job("x", 1).setCustomStatus("a")).get(0);
    dequeue(client, queue, 1);
    client.ackDequeuedJobs(CONTEXT, new PinLaterJobAckRequest(queue)
        .setJobsSucceeded(List.of(new PinLaterJobAckInfo(d).setAppendCustomStatus("b".repeat(2000)))));
    String status = lookup(client, d).getCustomStatus();
    assertEquals(1000, status.length());
    assertTrue(status.startsWith("ab"));
  }

  // --- counts ---

  @Test
  void getJobCountIsExactByStatePriorityTimeAndRegex() throws Exception {
    List<PinLaterJob> jobs = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      jobs.add(job("user-" + i, 1 + i % 2));
    }
    jobs.add(job("future", 1).setRunAfterTimestampMillis(clock.millis() + 100_000));
    client.enqueueJobs(CONTEXT, new PinLaterEnqueueRequest(queue, jobs));
    for (int i = 0; i < 10; i++) {
      enqueue(client, queue, job("extra-" + i, 3));
    }
    assertEquals(35, count(new PinLaterGetJobCountRequest(queue, PinLaterJobState.PENDING)));
    assertEquals(13, count(new PinLaterGetJobCountRequest(queue, PinLaterJobState.PENDING).setPriority((byte) 1)));
    assertEquals(1, count(new PinLaterGetJobCountRequest(queue, PinLaterJobState.PENDING).setCountFutureJobs(true)));
    assertEquals(10, count(new PinLaterGetJobCountRequest(queue, PinLaterJobState.PENDING).setBodyRegexToMatch("^extra-")));
    assertEquals(0, count(new PinLaterGetJobCountRequest(queue, PinLaterJobState.SUCCEEDED)));
  }

  private int count(PinLaterGetJobCountRequest r) throws Exception {
    return client.getJobCount(CONTEXT, r);
  }

  @Test
  void invalidRegexIsRejectedNamingTheField() {
    assertCode(ErrorCode.CONTINUATION_INVALID, "bodyRegexToMatch", () -> count(
        new PinLaterGetJobCountRequest(queue, PinLaterJobState.PENDING).setBodyRegexToMatch("(unclosed")));
  }

  @Test
  void regexIsMatchedAsAValueNeverAsSql() throws Exception {
    enqueue(client, queue, job("x' OR '1'='1", 1));
    assertEquals(1, count(new PinLaterGetJobCountRequest(queue, PinLaterJobState.PENDING)
        .setBodyRegexToMatch("' OR '1'='1")));
    assertEquals(0, count(new PinLaterGetJobCountRequest(queue, PinLaterJobState.PENDING)
        .setBodyRegexToMatch("' OR 1=1 -- ")));
  }

  // --- scan ---

  @Test
  void scanContinuationVisitsEveryJobOnce() throws Exception {
    // Whole batches share one runAfter, so ties across and within shards are the common case.
    Set<String> enqueued = new HashSet<>();
    for (int b = 0; b < 10; b++) {
      List<PinLaterJob> jobs = new ArrayList<>();
      for (int i = 0; i < 23; i++) {
        jobs.add(job("b" + b + "-" + i, 1).setRunAfterTimestampMillis(clock.millis() - (b % 3) * 1000));
      }
      enqueued.addAll(client.enqueueJobs(CONTEXT, new PinLaterEnqueueRequest(queue, jobs)).getJobDescriptors());
    }
    List<String> seen = new ArrayList<>();
    long lastRunAfter = Long.MAX_VALUE;
    String continuation = "0";
    int pages = 0;
    do {
      PinLaterScanJobsResponse r = client.scanJobs(CONTEXT,
          new PinLaterScanJobsRequest(queue, PinLaterJobState.PENDING).setLimit(7).setContinuation(continuation));
      for (PinLaterJobInfo j : r.getScannedJobs()) {
        assertTrue(j.getRunAfterTimestampMillis() <= lastRunAfter, "most recent runAfter first");
        lastRunAfter = j.getRunAfterTimestampMillis();
        seen.add(j.getJobDescriptor());
      }
      continuation = r.getContinuation();
      pages++;
    } while (!continuation.equals("-1"));
    assertEquals(enqueued.size(), seen.size(), "no job twice");
    assertEquals(enqueued, new HashSet<>(seen));
    assertEquals((230 + 6) / 7, pages);
  }

  @Test
  void scanFiltersByPriorityFutureAndRegexAndOmitsBodies() throws Exception {
    enqueue(client, queue, job("alpha", 1), job("beta", 2), job("alphabet", 2),
        job("later", 2).setRunAfterTimestampMillis(clock.millis() + 50_000));
    PinLaterScanJobsResponse r = client.scanJobs(CONTEXT, new PinLaterScanJobsRequest(queue, PinLaterJobState.PENDING)
        .setPriority((byte) 2).setBodyRegexToMatch("^alpha"));
    assertEquals(1, r.getScannedJobs().size());
    assertEquals(null, r.getScannedJobs().get(0).body);
    assertEquals("-1", r.getContinuation());
    PinLaterScanJobsResponse future = client.scanJobs(CONTEXT,
        new PinLaterScanJobsRequest(queue, PinLaterJobState.PENDING).setScanFutureJobs(true));
    assertEquals(1, future.getScannedJobs().size());
  }

  @Test
  void invalidContinuationIsRejected() {
    for (String token : List.of("abc", "-1", "v1.x.1.2", "v2.1.1.1")) {
      assertCode(ErrorCode.CONTINUATION_INVALID, "continuation", () -> client.scanJobs(CONTEXT,
          new PinLaterScanJobsRequest(queue, PinLaterJobState.PENDING).setContinuation(token)));
    }
  }

  // --- retry failed, delete ---

  @Test
  void retryFailedJobsMovesUpToTheLimitBackToPendingWithTheGivenAttempts() throws Exception {
    List<String> failed = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      failed.add(failedJob("f" + i));
    }
    long when = clock.millis() + 1000;
    int retried = client.retryFailedJobs(CONTEXT, new PinLaterRetryFailedJobsRequest(queue)
        .setLimit(3).setAttemptsToAllow(4).setRunAfterTimestampMillis(when));
    assertEquals(3, retried);
    int pending = 0;
    for (String d : failed) {
      PinLaterJobInfo info = lookup(client, d);
      if (info.getJobState() == PinLaterJobState.PENDING) {
        pending++;
        assertEquals(4, info.getAttemptsRemaining());
        assertEquals(when, info.getRunAfterTimestampMillis());
      }
    }
    assertEquals(3, pending);
    assertEquals(2, client.retryFailedJobs(CONTEXT, new PinLaterRetryFailedJobsRequest(queue)));
    assertEquals(0, client.retryFailedJobs(CONTEXT, new PinLaterRetryFailedJobsRequest(queue)));
  }

  @Test
  void retryFailedJobsOnlyTouchesTheGivenPriority() throws Exception {
    failedJob("p1");
    assertEquals(0, client.retryFailedJobs(CONTEXT, new PinLaterRetryFailedJobsRequest(queue).setPriority((byte) 2)));
  }

  @Test
  void deleteJobsDeletesMatchingJobsUpToTheLimitAndReturnsTheExactCount() throws Exception {
    for (int i = 0; i < 8; i++) {
      enqueue(client, queue, job("spam-" + i, 1));
    }
    String keep = enqueue(client, queue, job("ham", 1)).get(0);
    String otherPriority = enqueue(client, queue, job("spam-p2", 2)).get(0);
    assertEquals(5, client.deleteJobs(CONTEXT, new PinLaterDeleteJobsRequest(queue, PinLaterJobState.PENDING)
        .setBodyRegexToMatch("^spam").setLimit(5)));
    assertEquals(3, client.deleteJobs(CONTEXT, new PinLaterDeleteJobsRequest(queue, PinLaterJobState.PENDING)
        .setBodyRegexToMatch("^spam")));
    assertEquals(PinLaterJobState.PENDING, lookup(client, keep).getJobState());
    assertEquals(PinLaterJobState.PENDING, lookup(client, otherPriority).getJobState());
  }

  @Test
  void unknownQueueIsNotFoundForEveryQueueRpc() {
    String q = "missing_queue_zz";
    assertCode(ErrorCode.QUEUE_NOT_FOUND, q, () -> count(new PinLaterGetJobCountRequest(q, PinLaterJobState.PENDING)));
    assertCode(ErrorCode.QUEUE_NOT_FOUND, q, () -> client.scanJobs(CONTEXT, new PinLaterScanJobsRequest(q, PinLaterJobState.PENDING)));
    assertCode(ErrorCode.QUEUE_NOT_FOUND, q, () -> client.retryFailedJobs(CONTEXT, new PinLaterRetryFailedJobsRequest(q)));
    assertCode(ErrorCode.QUEUE_NOT_FOUND, q, () -> client.deleteJobs(CONTEXT, new PinLaterDeleteJobsRequest(q, PinLaterJobState.FAILED)));
  }
}
