package io.hourglass.server.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
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

  // --- extensions: unique keys ---

  NewJob keyed(String body, String key) {
    return job(body, 1).withUniqueKey(key);
  }

  @Test
  void enqueueOfAHeldKeyReturnsTheHolderAndStoresNothing() {
    EnqueuedJob first = backend.enqueueJobs(queue, List.of(keyed("a", "k"))).get(0);
    EnqueuedJob again = backend.enqueueJobs(queue, List.of(keyed("b", "k"))).get(0);
    assertFalse(first.existing());
    assertTrue(again.existing());
    assertEquals(first.descriptor(), again.descriptor());
    assertEquals(1, backend.count(new JobFilter(queue, JobState.PENDING, null, null, null)));
    assertEquals("a", body(info(first.descriptor()).body()));
    assertEquals("k", info(first.descriptor()).uniqueKey());
  }

  @Test
  void aBatchStoresEachKeyOnceAndEveryUnkeyedJob() {
    List<EnqueuedJob> got = backend.enqueueJobs(queue,
        List.of(keyed("a", "k1"), job("plain", 2), keyed("c", "k1"), keyed("d", "k2"), job("plain2", 1)));
    assertEquals(List.of(false, false, true, false, false), got.stream().map(EnqueuedJob::existing).toList());
    assertEquals(got.get(0).descriptor(), got.get(2).descriptor());
    assertEquals("plain", body(info(got.get(1).descriptor()).body()));
    assertEquals("plain2", body(info(got.get(4).descriptor()).body()));
    assertEquals(4, backend.count(new JobFilter(queue, JobState.PENDING, null, null, null)));
  }

  @Test
  void keysAreExactAndPerQueue() {
    backend.enqueueJobs(queue, List.of(keyed("a", "Key")));
    assertFalse(backend.enqueueJobs(queue, List.of(keyed("b", "key"))).get(0).existing(), "case counts");
    assertFalse(backend.enqueueJobs(queue, List.of(keyed("c", "Key "))).get(0).existing(), "spaces count");
    QueueName other = QueueName.of(queue.value() + "_other");
    backend.createQueue(other);
    try {
      assertFalse(backend.enqueueJobs(other, List.of(keyed("d", "Key"))).get(0).existing());
    } finally {
      backend.deleteQueue(other);
    }
  }

  @Test
  void aFinishedJobReleasesItsKeyAndAnInProgressOneKeepsIt() {
    JobDescriptor d = backend.enqueueJobs(queue, List.of(keyed("a", "k"))).get(0).descriptor();
    claim(1, 1);
    assertTrue(backend.enqueueJobs(queue, List.of(keyed("b", "k"))).get(0).existing(), "IN_PROGRESS holds it");
    backend.ackSucceeded(queue, ME, List.of(new Ack(d, "", 0)));
    EnqueuedJob next = backend.enqueueJobs(queue, List.of(keyed("c", "k"))).get(0);
    assertFalse(next.existing(), "SUCCEEDED released it");
    claim(1, 1);
    backend.ackFailed(queue, ME, List.of(new Ack(next.descriptor(), "", 0).givingUp()));
    assertEquals(JobState.FAILED, info(next.descriptor()).state());
    assertFalse(backend.enqueueJobs(queue, List.of(keyed("d", "k"))).get(0).existing(), "FAILED released it");
  }

  @Test
  void redriveLeavesAFailedKeyedJobWhoseKeyIsHeldAgain() {
    JobDescriptor old = backend.enqueueJobs(queue, List.of(keyed("old", "k"))).get(0).descriptor();
    JobDescriptor unkeyed = one(job("plain", 1));
    claim(1, 2);
    backend.ackFailed(queue, ME, List.of(new Ack(old, "", 0).givingUp(), new Ack(unkeyed, "", 0).givingUp()));
    JobDescriptor holder = backend.enqueueJobs(queue, List.of(keyed("new", "k"))).get(0).descriptor();
    assertEquals(1, backend.retryFailed(new RetryFailedRequest(queue, 1, 1, clock.millis(), 10)));
    assertEquals(JobState.FAILED, info(old).state(), "would be a second unfinished holder of k");
    assertEquals(JobState.PENDING, info(unkeyed).state());
    assertEquals(JobState.PENDING, info(holder).state());
  }

  @Test
  void aRedrivenKeyedJobHoldsItsKeyAgain() {
    JobDescriptor d = backend.enqueueJobs(queue, List.of(keyed("a", "k"))).get(0).descriptor();
    claim(1, 1);
    backend.ackFailed(queue, ME, List.of(new Ack(d, "", 0).givingUp()));
    assertEquals(1, backend.retryFailed(new RetryFailedRequest(queue, 1, 1, clock.millis(), 10)));
    EnqueuedJob again = backend.enqueueJobs(queue, List.of(keyed("b", "k"))).get(0);
    assertTrue(again.existing(), "the redriven job holds k");
    assertEquals(d, again.descriptor());
    assertEquals(1, backend.count(new JobFilter(queue, JobState.PENDING, null, null, null)));
  }

  @Test
  void aRedriveOfTwoFailedJobsOfOneKeyRunsOnlyTheFirst() {
    JobDescriptor first = backend.enqueueJobs(queue, List.of(keyed("a", "k"))).get(0).descriptor();
    claim(1, 1);
    backend.ackFailed(queue, ME, List.of(new Ack(first, "", 0).givingUp()));
    JobDescriptor second = backend.enqueueJobs(queue, List.of(keyed("b", "k"))).get(0).descriptor();
    claim(1, 1);
    backend.ackFailed(queue, ME, List.of(new Ack(second, "", 0).givingUp()));
    assertEquals(1, backend.retryFailed(new RetryFailedRequest(queue, 1, 1, clock.millis(), 10)));
    assertEquals(JobState.PENDING, info(first).state());
    assertEquals(JobState.FAILED, info(second).state());
  }

  @Test
  void concurrentEnqueuesOfOneKeyStoreOneJob() throws Exception {
    int threads = 8;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      for (int round = 0; round < 5; round++) {
        String key = "race-" + round;
        List<Future<EnqueuedJob>> results = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          results.add(pool.submit(() -> backend.enqueueJobs(queue, List.of(keyed("x", key), job("y", 2))).get(0)));
        }
        Set<JobDescriptor> descriptors = new HashSet<>();
        int stored = 0;
        for (Future<EnqueuedJob> f : results) {
          EnqueuedJob e = f.get();
          descriptors.add(e.descriptor());
          stored += e.existing() ? 0 : 1;
        }
        assertEquals(1, descriptors.size(), "every racer got the one holder");
        assertEquals(1, stored);
      }
      assertEquals(5, backend.count(new JobFilter(queue, JobState.PENDING, 1, null, null)));
      assertEquals(5 * threads, backend.count(new JobFilter(queue, JobState.PENDING, 2, null, null)));
    } finally {
      pool.shutdownNow();
    }
  }

  // --- extensions: expiry ---

  @Test
  void anExpiredJobIsNeverClaimedOrPeeked() {
    JobDescriptor d = one(job("x", 1).withExpiry(clock.millis() + 1000));
    clock.advance(Duration.ofMillis(1000));
    assertTrue(backend.peek(new ClaimRequest(queue, 1, 5, ME)).isEmpty());
    assertTrue(claim(1, 5).isEmpty());
    assertEquals(JobState.PENDING, info(d).state(), "until the sweep moves it");
    assertEquals(clock.millis(), info(d).expiresAtMillis());
  }

  @Test
  void aJobIsClaimableUntilItsExpiry() {
    one(job("x", 1).withExpiry(clock.millis() + 1000));
    clock.advance(Duration.ofMillis(999));
    assertEquals(1, claim(1, 5).size());
  }

  @Test
  void theSweepFailsExpiredPendingJobsSayingSoAndRetryFailedRedrivesThem() {
    long expiry = clock.millis() + 1000;
    JobDescriptor expired = backend.enqueue(queue,
        List.of(new NewJob("x".getBytes(), 1, clock.millis(), 1, "queued by cron").withExpiry(expiry))).get(0);
    JobDescriptor later = one(job("later", 1).withExpiry(clock.millis() + 5000));
    JobDescriptor never = one(job("never", 1));
    clock.advance(Duration.ofMillis(1000));
    assertEquals(1, backend.expireJobs(queue, clock.millis(), 100));
    JobInfo i = info(expired);
    assertEquals(JobState.FAILED, i.state());
    assertEquals(Expiry.status(expiry) + "; queued by cron", i.customStatus());
    assertTrue(i.customStatus().startsWith("expired at " + java.time.Instant.ofEpochMilli(expiry)));
    assertNull(i.expiresAtMillis(), "cleared, so a redrive runs it");
    assertEquals(JobState.PENDING, info(later).state());
    assertEquals(JobState.PENDING, info(never).state());
    assertEquals(0, backend.expireJobs(queue, clock.millis(), 100));
    assertEquals(1, backend.count(new JobFilter(queue, JobState.FAILED, null, null, null)));
    assertEquals(1, backend.scan(new JobFilter(queue, JobState.FAILED, null, null, null), null, 10).size());
    assertEquals(1, backend.retryFailed(new RetryFailedRequest(queue, 1, 1, clock.millis(), 10)));
    assertEquals(3, claim(1, 5).size(), "the redriven job, 'later' and 'never'");
  }

  @Test
  void theSweepLeavesClaimedJobsAndMovesAtMostTheLimitSoonestFirst() {
    long now = clock.millis();
    JobDescriptor claimed = one(job("claimed", 2).withExpiry(now + 10));
    claim(2, 1);
    JobDescriptor a = one(job("a", 1).withExpiry(now + 30));
    JobDescriptor b = one(job("b", 1).withExpiry(now + 20));
    clock.advance(Duration.ofSeconds(1));
    assertEquals(1, backend.expireJobs(queue, clock.millis(), 1));
    assertEquals(JobState.FAILED, info(b).state());
    assertEquals(JobState.PENDING, info(a).state());
    assertEquals(1, backend.expireJobs(queue, clock.millis(), 5));
    assertEquals(JobState.IN_PROGRESS, info(claimed).state());
    backend.ackFailed(queue, ME, List.of(new Ack(claimed, "", 0)));
    assertTrue(claim(2, 1).isEmpty(), "back to PENDING but expired");
    assertEquals(1, backend.expireJobs(queue, clock.millis(), 5));
  }

  @Test
  void aRedrivenJobWhoseExpiryHasPassedExpiresAgain() {
    JobDescriptor d = backend.enqueue(queue,
        List.of(new NewJob("x".getBytes(), 1, clock.millis(), 1, "").withExpiry(clock.millis() + 1000))).get(0);
    claim(1, 1);
    backend.ackFailed(queue, ME, List.of(new Ack(d, "", 0)));
    assertEquals(JobState.FAILED, info(d).state(), "its one attempt is used");
    clock.advance(Duration.ofSeconds(2));
    assertEquals(0, backend.expireJobs(queue, clock.millis(), 10), "a FAILED job does not expire");
    assertEquals(1, backend.retryFailed(new RetryFailedRequest(queue, 1, 1, clock.millis(), 10)));
    assertTrue(claim(1, 1).isEmpty(), "PENDING but past its expiry");
    assertTrue(backend.hasExpiredJobs(queue, clock.millis()));
    assertEquals(1, backend.expireJobs(queue, clock.millis(), 10));
    assertTrue(info(d).customStatus().startsWith("expired at"), info(d).customStatus());
  }

  @Test
  void aJobThatSucceededBeforeItsExpiryStaysSucceeded() {
    JobDescriptor d = one(job("x", 1).withExpiry(clock.millis() + 1000));
    claim(1, 1);
    backend.ackSucceeded(queue, ME, List.of(new Ack(d, "", 0)));
    clock.advance(Duration.ofSeconds(2));
    assertEquals(0, backend.expireJobs(queue, clock.millis(), 10));
    assertEquals(JobState.SUCCEEDED, info(d).state());
    assertFalse(backend.hasExpiredJobs(queue, clock.millis()), "the sweep has nothing left to do");
  }

  // --- extensions: give up, retry policy, attempt history ---

  @Test
  void giveUpSendsAFailedJobToFailedWhateverAttemptsRemain() {
    JobDescriptor d = backend.enqueue(queue, List.of(new NewJob("x".getBytes(), 1, clock.millis(), 5, ""))).get(0);
    claim(1, 1);
    assertEquals(1, backend.ackFailed(queue, ME, List.of(new Ack(d, "bad input", 1000).givingUp())));
    JobInfo i = info(d);
    assertEquals(JobState.FAILED, i.state());
    assertEquals(4, i.attemptsRemaining());
    assertEquals("bad input", i.customStatus());
  }

  @Test
  void anExponentialPolicyDoublesTheDelayPerAttemptUpToItsCap() {
    RetryPolicy policy = RetryPolicy.exponential(1000, 3000, 0);
    JobDescriptor d = backend.enqueue(queue, List.of(new NewJob("x".getBytes(), 1, clock.millis(), 10, ""))).get(0);
    long[] expected = {1000, 2000, 3000, 3000};
    for (long delay : expected) {
      clock.advance(Duration.ofHours(1));
      assertEquals(1, claim(1, 1).size());
      backend.ackFailed(queue, ME, List.of(new Ack(d, "", 7).withRetryPolicy(policy)));
      assertEquals(clock.millis() + delay, info(d).runAfterMillis());
    }
  }

  @Test
  void aFixedPolicyAndJitterStayInBounds() {
    JobDescriptor f = one(job("fixed", 1));
    JobDescriptor j = one(job("jitter", 2));
    claim(1, 1);
    claim(2, 1);
    backend.ackFailed(queue, ME, List.of(new Ack(f, "", 0).withRetryPolicy(RetryPolicy.fixed(4000)),
        new Ack(j, "", 0).withRetryPolicy(RetryPolicy.exponential(10_000, 60_000, 0.5))));
    assertEquals(clock.millis() + 4000, info(f).runAfterMillis());
    long jittered = info(j).runAfterMillis() - clock.millis();
    assertTrue(jittered >= 5000 && jittered <= 15_000, "10 s ± 50%: " + jittered);
  }

  @Test
  void failureAcksAndRescuesRecordTheLastTenAttempts() {
    JobDescriptor d = backend.enqueue(queue, List.of(new NewJob("x".getBytes(), 1, clock.millis(), 20, ""))).get(0);
    for (int i = 1; i <= 11; i++) {
      clock.advance(Duration.ofSeconds(1));
      claim(1, 1);
      backend.ackFailed(queue, ME, List.of(new Ack(d, "boom " + i, 0)));
    }
    List<Attempt> history = info(d).attempts();
    assertEquals(10, history.size());
    assertEquals(new Attempt(2, history.get(0).atMillis(), ME, "boom 2"), history.get(0));
    assertEquals(new Attempt(11, clock.millis(), ME, "boom 11"), history.get(9));
    clock.advance(Duration.ofSeconds(1));
    claim(1, 1);
    clock.advance(Duration.ofMinutes(5));
    backend.rescueExpiredClaims(queue, clock.millis(), 10);
    history = info(d).attempts();
    assertEquals(new Attempt(12, clock.millis(), ME, Attempt.CLAIM_TIMED_OUT), history.get(9));
    assertEquals("boom 3", history.get(0).status());
    assertTrue(backend.scan(new JobFilter(queue, JobState.PENDING, null, null, null), null, 5).get(0).attempts()
        .isEmpty(), "scans leave the history out");
  }

  @Test
  void aJobThatNeverFailedHasNoAttempts() {
    JobDescriptor d = one(job("x", 1));
    claim(1, 1);
    backend.ackSucceeded(queue, ME, List.of(new Ack(d, "", 0)));
    assertEquals(List.of(), info(d).attempts());
    assertNull(info(d).uniqueKey());
    assertNull(info(d).expiresAtMillis());
  }

  // --- extensions: schedules ---

  ScheduleSpec every(long millis) {
    return new ScheduleSpec(queue, null, null, millis, "tick".getBytes(), 2, 3);
  }

  @Test
  void schedulesAreStoredListedByQueueAndDeleted() {
    long t = clock.millis();
    Schedule a = backend.createSchedule(every(60_000), t, t + 60_000);
    Schedule b = backend.createSchedule(new ScheduleSpec(queue, "*/5 * * * *", "Europe/Paris", null, "c".getBytes(), 1, 1),
        t, t + 1000);
    try {
      List<Schedule> mine = backend.listSchedules(queue);
      assertEquals(List.of(a.id(), b.id()), mine.stream().map(Schedule::id).toList());
      Schedule read = mine.get(1);
      assertEquals("*/5 * * * *", read.spec().cron());
      assertEquals("Europe/Paris", read.spec().zone());
      assertNull(read.spec().intervalMillis());
      assertEquals("c", body(read.spec().body()));
      assertEquals(60_000L, mine.get(0).spec().intervalMillis());
      assertEquals(t + 60_000, mine.get(0).nextFireAtMillis());
      assertEquals(t, mine.get(0).createdAtMillis());
      assertTrue(backend.listSchedules(null).stream().anyMatch(s -> s.id() == a.id()));
      assertTrue(backend.listSchedules(QueueName.of("no_such_queue_s")).isEmpty());
    } finally {
      assertTrue(backend.deleteSchedule(a.id()));
      assertTrue(backend.deleteSchedule(b.id()));
    }
    assertFalse(backend.deleteSchedule(a.id()));
    assertTrue(backend.listSchedules(queue).isEmpty());
  }

  @Test
  void dueSchedulesAdvanceOnceByCompareAndSet() {
    long t = clock.millis();
    Schedule s = backend.createSchedule(every(1000), t, t + 1000);
    try {
      assertTrue(backend.dueSchedules(t + 999, 10).stream().noneMatch(x -> x.id() == s.id()));
      assertTrue(backend.dueSchedules(t + 1000, 10).stream().anyMatch(x -> x.id() == s.id()));
      assertTrue(backend.advanceSchedule(s.id(), t + 1000, t + 2000));
      assertFalse(backend.advanceSchedule(s.id(), t + 1000, t + 2000), "a second server saw the old tick");
      assertEquals(t + 2000, backend.listSchedules(queue).get(0).nextFireAtMillis());
    } finally {
      backend.deleteSchedule(s.id());
    }
  }
}
