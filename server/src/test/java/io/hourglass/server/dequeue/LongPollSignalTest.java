package io.hourglass.server.dequeue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.twitter.util.Await;
import com.twitter.util.Duration;
import com.twitter.util.Future;
import io.hourglass.server.queue.ClaimedJob;
import io.hourglass.server.queue.JobDescriptor;
import io.hourglass.server.queue.QueueName;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link LongPoll} on its own: who gets woken by a signal, and what idle waiters cost. */
class LongPollSignalTest {
  static final QueueName Q = QueueName.of("lp");
  final ExecutorService workers = Executors.newFixedThreadPool(4);
  final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  /** Jobs the fake shard holds; an attempt takes up to its limit. */
  final ConcurrentLinkedQueue<ClaimedJob> shard = new ConcurrentLinkedQueue<>();
  final AtomicInteger attempts = new AtomicInteger();
  final AtomicInteger probes = new AtomicInteger();
  final List<ClaimedJob> released = new ArrayList<>();

  @AfterEach
  void stop() {
    workers.shutdownNow();
    timer.shutdownNow();
  }

  LongPoll longPoll(long pollMillis) {
    return longPoll(pollMillis, pollMillis);
  }

  LongPoll longPoll(long pollMillis, long idlePollMillis) {
    LongPoll lp = new LongPoll(Clock.systemUTC(), workers, timer, pollMillis, idlePollMillis);
    lp.probeWith((q, demand) -> probes.incrementAndGet());
    return lp;
  }

  static ClaimedJob job(long id) {
    return new ClaimedJob(new JobDescriptor(Q, 1, 1, id), new byte[0], 1, 1);
  }

  List<ClaimedJob> claim(int limit) {
    attempts.incrementAndGet();
    List<ClaimedJob> out = new ArrayList<>();
    ClaimedJob j;
    while (out.size() < limit && (j = shard.poll()) != null) {
      out.add(j);
    }
    return out;
  }

  Future<List<ClaimedJob>> await(LongPoll lp, int limit, long waitMillis, long signalsSeen) {
    return lp.await(new LongPoll.Wait(Q, limit, waitMillis, signalsSeen, () -> claim(limit), released::addAll));
  }

  void enqueue(LongPoll lp, int n) {
    for (int i = 0; i < n; i++) {
      shard.add(job(1000 + shard.size() + i));
    }
    lp.added(Q, n);
  }

  @Test
  void aWakeUpWakesOnlyAsManyWaitersAsTheNewJobsCanServe() throws Exception {
    LongPoll lp = longPoll(60_000);
    List<Future<List<ClaimedJob>>> waiting = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      waiting.add(await(lp, 1, 30_000, lp.signals(Q)));
    }
    enqueue(lp, 2);
    long start = System.nanoTime();
    Await.result(waiting.get(0), Duration.fromSeconds(10));
    Await.result(waiting.get(1), Duration.fromSeconds(10));
    assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10));
    Thread.sleep(200); // room for any wrongly woken waiter to try
    assertEquals(2, attempts.get(), "2 jobs woke 2 of the 10 waiters, the oldest ones");
    assertEquals(8, lp.waiting());
  }

  @Test
  void workSignalledBetweenTheFirstAttemptAndWaitingIsNotMissed() throws Exception {
    LongPoll lp = longPoll(60_000);
    long seen = lp.signals(Q);
    // The dequeue's first attempt found nothing; now, before it registers, a job arrives.
    enqueue(lp, 1);
    List<ClaimedJob> got = Await.result(await(lp, 5, 30_000, seen), Duration.fromSeconds(10));
    assertEquals(1, got.size(), "answered at once with the job, not after the 60 s poll or the 30 s wait");
  }

  @Test
  void idleWaitersDoNotPollEachOnlyOneSharedProbeRunsPerInterval() throws Exception {
    LongPoll lp = longPoll(50);
    for (int i = 0; i < 20; i++) {
      await(lp, 50, 30_000, lp.signals(Q));
    }
    Thread.sleep(1_000);
    assertEquals(0, attempts.get(), "waiters never try without a signal");
    int p = probes.get();
    assertTrue(p >= 5 && p <= 22, "one probe per 50 ms for all 20 waiters, got " + p);
  }

  @Test
  void aQuietQueuesProbeSlowsToTheIdleIntervalAndSpeedsUpAsSoonAsWorkIsSignalled() throws Exception {
    LongPoll lp = longPoll(20, 200);
    lp.added(Q, 0); // the queue just had a signal: quick probes
    await(lp, 50, 30_000, lp.signals(Q));
    int start = probes.get();
    Thread.sleep(500);
    int quick = probes.get() - start;
    assertTrue(quick >= 10, "within a second of a signal the probe runs every 20 ms: " + quick + " in 500 ms");
    Thread.sleep(1_000); // a second without a signal
    int quiet0 = probes.get();
    Thread.sleep(1_000);
    int quiet = probes.get() - quiet0;
    assertTrue(quiet >= 3 && quiet <= 7, "a quiet queue is probed every 200 ms: " + quiet + " in 1 s");
    lp.added(Q, 0);
    Thread.sleep(250); // at most one slow interval to the next probe, then quick ones again
    int again0 = probes.get();
    Thread.sleep(500);
    int again = probes.get() - again0;
    assertTrue(again >= 10, "after a signal the probe is quick again: " + again + " in 500 ms");
  }

  @Test
  void theProbeStopsWhenNobodyWaits() throws Exception {
    LongPoll lp = longPoll(20);
    Await.result(await(lp, 1, 200, lp.signals(Q)), Duration.fromSeconds(10));
    Thread.sleep(100);
    int after = probes.get();
    Thread.sleep(300);
    assertEquals(after, probes.get());
  }

  @Test
  void aWaiterWhoseClientWentAwayNeverClaims() throws Exception {
    LongPoll lp = longPoll(60_000);
    Future<List<ClaimedJob>> gone = await(lp, 5, 30_000, lp.signals(Q));
    gone.raise(new Exception("connection closed"));
    enqueue(lp, 1);
    Thread.sleep(200);
    assertEquals(0, attempts.get());
    assertEquals(1, shard.size(), "the job stays for a live dequeuer");
    assertEquals(0, lp.waiting());
  }

  @Test
  void aWaitThatSeesNoSignalEndsEmptyAtItsDeadlineWithoutAnAttempt() throws Exception {
    LongPoll lp = longPoll(60_000);
    shard.add(job(1)); // present, but never signalled
    assertTrue(Await.result(await(lp, 5, 300, lp.signals(Q)), Duration.fromSeconds(10)).isEmpty());
    assertEquals(0, attempts.get());
  }
}
