package io.hourglass.server.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hourglass.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The storage seam's contract, run against every {@link QueueBackend}. */
abstract class QueueBackendContract {
  static final String ME = "worker:1";
  protected final MutableClock clock = MutableClock.startingNow();
  protected QueueBackend backend;
  protected QueueName queue;
  private static int n;

  /** A fresh backend using {@link #clock}. */
  protected abstract QueueBackend newBackend();

  @BeforeEach
  void setUp() {
    backend = newBackend();
    queue = QueueName.of("contract_" + (++n));
    backend.createQueue(queue);
  }

  @AfterEach
  void tearDown() {
    backend.deleteQueue(queue);
    backend.close();
  }

  NewJob job(String body, int priority) {
    return new NewJob(body.getBytes(StandardCharsets.UTF_8), priority, clock.millis(), 2, "");
  }

  JobDescriptor one(NewJob job) {
    return backend.enqueue(queue, List.of(job)).get(0);
  }

  List<ClaimedJob> claim(int priority, int limit) {
    return backend.claim(new ClaimRequest(queue, priority, limit, ME));
  }

  JobInfo info(JobDescriptor d) {
    List<JobInfo> found = backend.lookup(queue, List.of(d.localId()), true);
    return found.isEmpty() ? null : found.get(0);
  }

  static String body(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  @Test
  void createQueueIsIdempotentAndListed() {
    backend.createQueue(queue);
    assertTrue(backend.queueNames().contains(queue.value()));
  }

  @Test
  void unknownQueueIsReportedAsNotFound() {
    QueueException e = assertThrows(QueueException.class,
        () -> backend.enqueue(QueueName.of("never_created_q"), List.of(job("x", 1))));
    assertEquals(QueueException.Kind.QUEUE_NOT_FOUND, e.kind());
  }

  @Test
  void enqueueReturnsDescriptorsInOrderWithDistinctIds() {
    List<JobDescriptor> ds = backend.enqueue(queue, List.of(job("a", 1), job("b", 3), job("c", 2)));
    assertEquals(List.of(1, 3, 2), ds.stream().map(JobDescriptor::priority).toList());
    assertEquals(3, new HashSet<>(ds).size());
    assertEquals("b", body(info(ds.get(1)).body()));
  }

  @Test
  void claimTakesOnePriorityEarliestRunAfterFirstAndUsesAnAttempt() {
    long now = clock.millis();
    backend.enqueue(queue, List.of(
        new NewJob("late".getBytes(), 1, now - 10, 2, ""),
        new NewJob("early".getBytes(), 1, now - 20, 2, ""),
        new NewJob("other priority".getBytes(), 2, now - 30, 2, ""),
        new NewJob("future".getBytes(), 1, now + 1000, 2, "")));
    List<ClaimedJob> got = claim(1, 10);
    assertEquals(List.of("early", "late"), got.stream().map(j -> body(j.body())).toList());
    assertEquals(2, got.get(0).attemptsRemaining(), "the running attempt counts as remaining");
    JobInfo i = info(got.get(0).descriptor());
    assertEquals(JobState.IN_PROGRESS, i.state());
    assertEquals(ME, i.claimDescriptor());
    assertTrue(claim(1, 10).isEmpty(), "claimed jobs are not claimed again");
  }

  @Test
  void peekReturnsWhatAClaimWouldWithoutClaiming() {
    JobDescriptor d = one(job("x", 1));
    assertEquals(List.of(d), backend.peek(new ClaimRequest(queue, 1, 5, ME)).stream().map(ClaimedJob::descriptor).toList());
    assertEquals(JobState.PENDING, info(d).state());
  }

  @Test
  void successAckMovesOnlyInProgressJobs() {
    JobDescriptor claimed = one(job("c", 1));
    claim(1, 1);
    JobDescriptor pending = one(job("p", 1));
    int moved = backend.ackSucceeded(queue, ME, List.of(new Ack(claimed, "+ok", 0), new Ack(pending, "", 0)));
    assertEquals(1, moved);
    assertEquals(JobState.SUCCEEDED, info(claimed).state());
    assertEquals("+ok", info(claimed).customStatus());
    assertEquals(JobState.PENDING, info(pending).state());
    assertEquals(0, backend.ackSucceeded(queue, ME, List.of(new Ack(claimed, "", 0))), "second ack is a no-op");
  }

  @Test
  void ackFromAnotherClaimantChangesNothing() {
    JobDescriptor d = one(job("x", 1));
    claim(1, 1);
    assertEquals(0, backend.ackSucceeded(queue, "worker:2", List.of(new Ack(d, "", 0))));
    assertEquals(0, backend.ackFailed(queue, "worker:", List.of(new Ack(d, "", 0))));
    assertEquals(JobState.IN_PROGRESS, info(d).state());
    assertEquals(2, info(d).attemptsRemaining());
  }

  @Test
  void failureAckRetriesAfterTheDelayThenFails() {
    JobDescriptor d = one(job("x", 1));
    claim(1, 1);
    assertEquals(1, backend.ackFailed(queue, ME, List.of(new Ack(d, "", 500))));
    assertEquals(JobState.PENDING, info(d).state());
    assertEquals(clock.millis() + 500, info(d).runAfterMillis());
    assertTrue(claim(1, 1).isEmpty());
    clock.advance(Duration.ofMillis(500));
    assertEquals(1, claim(1, 1).size());
    backend.ackFailed(queue, ME, List.of(new Ack(d, "", 0)));
    assertEquals(JobState.FAILED, info(d).state());
    assertEquals(0, info(d).attemptsRemaining());
  }

  @Test
  void attemptsRemainingCountsTheRunningAttemptLikePinLater() {
    JobDescriptor d = one(job("x", 1)); // 2 attempts
    ClaimedJob first = claim(1, 1).get(0);
    assertEquals(2, first.attemptsAllowed());
    assertEquals(2, first.attemptsRemaining());
    assertEquals(2, info(d).attemptsRemaining(), "IN_PROGRESS, first attempt");
    backend.ackFailed(queue, ME, List.of(new Ack(d, "", 0)));
    assertEquals(JobState.PENDING, info(d).state());
    assertEquals(1, info(d).attemptsRemaining());
    assertEquals(1, claim(1, 1).get(0).attemptsRemaining(), "the last attempt is handed out with 1");
    assertEquals(1, info(d).attemptsRemaining(), "IN_PROGRESS, last attempt");
    backend.ackFailed(queue, ME, List.of(new Ack(d, "", 0)));
    assertEquals(JobState.FAILED, info(d).state());
    assertEquals(0, info(d).attemptsRemaining());
  }

  @Test
  void aJobThatSucceededOnItsFirstAttemptStillShowsItsAttemptsRemaining() {
    JobDescriptor d = one(job("x", 1));
    claim(1, 1);
    backend.ackSucceeded(queue, ME, List.of(new Ack(d, "", 0)));
    assertEquals(JobState.SUCCEEDED, info(d).state());
    assertEquals(2, info(d).attemptsRemaining());
  }

  @Test
  void checkpointWithNewAttemptsWhileClaimedCountsTheRunningOneAmongThem() {
    JobDescriptor d = one(job("x", 1));
    claim(1, 1);
    backend.checkpoint(queue, ME, List.of(new Checkpoint(d, null, false, 0, 3, null)));
    assertEquals(3, info(d).attemptsAllowed());
    assertEquals(3, info(d).attemptsRemaining());
    backend.ackFailed(queue, ME, List.of(new Ack(d, "", 0)));
    assertEquals(JobState.PENDING, info(d).state());
    assertEquals(2, info(d).attemptsRemaining());
  }

  @Test
  void releaseGivesTheAttemptBack() {
    JobDescriptor d = one(job("x", 1));
    claim(1, 1);
    assertEquals(1, backend.releaseClaims(queue, ME, List.of(d)));
    assertEquals(JobState.PENDING, info(d).state());
    assertEquals(2, info(d).attemptsRemaining());
  }

  @Test
  void releaseLeavesAJobClaimedByAnotherClaimantAlone() {
    JobDescriptor d = one(job("x", 1));
    claim(1, 1);
    assertEquals(0, backend.releaseClaims(queue, "someone-else", List.of(d)));
    assertEquals(JobState.IN_PROGRESS, info(d).state());
  }

  @Test
  void checkpointAppliesOnlyForTheExactClaimant() {
    JobDescriptor d = one(job("v1", 1));
    claim(1, 1);
    Checkpoint cp = new Checkpoint(d, "v2".getBytes(), false, 0, null, "s;");
    assertEquals(0, backend.checkpoint(queue, "worker:", List.of(cp)));
    assertEquals(0, backend.checkpoint(queue, "WORKER:1", List.of(cp)));
    assertEquals(1, backend.checkpoint(queue, ME, List.of(cp)));
    assertEquals("v2", body(info(d).body()));
    assertEquals("s;", info(d).customStatus());
  }

  @Test
  void checkpointMoveToPendingGivesTheAttemptBackAndReschedules() {
    JobDescriptor d = one(job("cron", 1));
    claim(1, 1);
    long next = clock.millis() + 5000;
    backend.checkpoint(queue, ME, List.of(new Checkpoint(d, null, true, next, null, null)));
    JobInfo i = info(d);
    assertEquals(JobState.PENDING, i.state());
    assertEquals(next, i.runAfterMillis());
    assertEquals(2, i.attemptsRemaining());
    assertEquals("cron", body(i.body()));
  }

  @Test
  void countScanRetryAndDeleteSeeTheSameJobs() {
    List<NewJob> jobs = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      jobs.add(job((i % 2 == 0 ? "even-" : "odd-") + i, 1 + i % 3));
    }
    backend.enqueue(queue, jobs);
    JobFilter pending = new JobFilter(queue, JobState.PENDING, null, false, null);
    assertEquals(12, backend.count(pending));
    assertEquals(6, backend.count(new JobFilter(queue, JobState.PENDING, null, false, "^even")));
    assertEquals(4, backend.count(new JobFilter(queue, JobState.PENDING, 2, null, null)));
    Set<JobDescriptor> seen = new HashSet<>();
    ScanCursor after = null;
    List<JobInfo> page;
    do {
      page = backend.scan(pending, after, 5);
      page.forEach(j -> assertTrue(seen.add(j.descriptor()), "seen twice: " + j.descriptor()));
      after = page.isEmpty() ? null : ScanCursor.after(page.get(page.size() - 1));
      page.forEach(j -> assertNull(j.body()));
    } while (page.size() == 5);
    assertEquals(12, seen.size());
    // priority 1 holds i = 0, 3, 6, 9: of those, 0 and 6 are even
    assertEquals(2, backend.deleteJobs(new JobFilter(queue, JobState.PENDING, 1, null, "^even"), 10));
    assertEquals(10, backend.count(pending));
  }

  @Test
  void retryFailedMovesFailedJobsOfOnePriorityBack() {
    JobDescriptor d = backend.enqueue(queue, List.of(new NewJob("x".getBytes(), 2, clock.millis(), 1, ""))).get(0);
    claim(2, 1);
    backend.ackFailed(queue, ME, List.of(new Ack(d, "", 0)));
    assertEquals(0, backend.retryFailed(new RetryFailedRequest(queue, 1, 3, clock.millis(), 10)));
    assertEquals(1, backend.retryFailed(new RetryFailedRequest(queue, 2, 3, clock.millis(), 10)));
    assertEquals(JobState.PENDING, info(d).state());
    assertEquals(3, info(d).attemptsRemaining());
  }

  @Test
  void lookupLeavesOutMissingJobs() {
    JobDescriptor d = one(job("x", 1));
    assertEquals(1, backend.lookup(queue, List.of(d.localId(), 987654321L), false).size());
  }

  // --- maintenance ---

  @Test
  void expiredClaimsGoBackToPendingOrFailWithoutAttemptsLeft() {
    JobDescriptor retry = one(job("retry", 1)); // 2 attempts
    JobDescriptor last = backend.enqueue(queue, List.of(new NewJob("last".getBytes(), 1, clock.millis(), 1, ""))).get(0);
    JobDescriptor pending = one(job("pending", 2));
    assertEquals(2, claim(1, 10).size());
    long claimedAt = clock.millis();
    clock.advance(Duration.ofMinutes(5));

    assertEquals(new RescueResult(0, 0), backend.rescueExpiredClaims(queue, claimedAt, 100), "not expired yet");
    RescueResult r = backend.rescueExpiredClaims(queue, claimedAt + 1, 100);
    assertEquals(new RescueResult(1, 1), r);
    assertEquals(JobState.PENDING, info(retry).state());
    assertEquals(1, info(retry).attemptsRemaining(), "the expired claim used its attempt");
    assertEquals(JobState.FAILED, info(last).state());
    assertEquals(JobState.PENDING, info(pending).state());
    assertEquals(clock.millis(), info(retry).updatedAtMillis());
    assertEquals(new RescueResult(0, 0), backend.rescueExpiredClaims(queue, clock.millis() + 1, 100),
        "nothing is IN_PROGRESS any more");
  }

  @Test
  void rescueMovesAtMostTheLimitLongestClaimedFirst() {
    List<JobDescriptor> ds = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ds.add(one(job("j" + i, 1)));
      claim(1, 1);
      clock.advance(Duration.ofSeconds(1));
    }
    assertEquals(new RescueResult(2, 0), backend.rescueExpiredClaims(queue, clock.millis(), 2));
    assertEquals(JobState.PENDING, info(ds.get(0)).state());
    assertEquals(JobState.PENDING, info(ds.get(1)).state());
    assertEquals(JobState.IN_PROGRESS, info(ds.get(2)).state());
  }

  @Test
  void pruneDeletesOneFinishedStateOlderThanTheCutoffInBatches() {
    List<JobDescriptor> done = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      done.add(one(job("s" + i, 1)));
    }
    claim(1, 3);
    backend.ackSucceeded(queue, ME, done.stream().map(d -> new Ack(d, "", 0)).toList());
    JobDescriptor failed = backend.enqueue(queue, List.of(new NewJob("f".getBytes(), 2, clock.millis(), 1, ""))).get(0);
    claim(2, 1);
    backend.ackFailed(queue, ME, List.of(new Ack(failed, "", 0)));
    JobDescriptor pending = one(job("p", 3));
    long finishedAt = clock.millis();
    clock.advance(Duration.ofHours(1));
    JobDescriptor recent = one(job("recent", 1));
    claim(1, 1);
    backend.ackSucceeded(queue, ME, List.of(new Ack(recent, "", 0)));

    assertEquals(0, backend.pruneFinished(queue, JobState.SUCCEEDED, finishedAt, 10), "cutoff is exclusive");
    assertEquals(2, backend.pruneFinished(queue, JobState.SUCCEEDED, finishedAt + 1, 2));
    assertEquals(1, backend.pruneFinished(queue, JobState.SUCCEEDED, finishedAt + 1, 2));
    assertEquals(1, backend.pruneFinished(queue, JobState.FAILED, finishedAt + 1, 2));
    done.forEach(d -> assertNull(info(d)));
    assertNull(info(failed));
    assertEquals(JobState.PENDING, info(pending).state());
    assertEquals(JobState.SUCCEEDED, info(recent).state());
  }

  @Test
  void unfinishedJobsCountsPendingAndInProgressPerQueue() {
    one(job("a", 1));
    one(job("b", 1));
    JobDescriptor done = one(job("c", 2));
    claim(2, 1);
    claim(1, 1);
    assertEquals(3L, backend.unfinishedJobs().get(queue.value()));
    backend.ackSucceeded(queue, ME, List.of(new Ack(done, "", 0)));
    assertEquals(2L, backend.unfinishedJobs().get(queue.value()));
  }
}
