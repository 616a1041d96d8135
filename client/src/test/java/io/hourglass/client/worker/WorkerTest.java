package io.hourglass.client.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hourglass.client.ClientConfig;
import io.hourglass.client.Eventually;
import io.hourglass.client.FakePinLater;
import io.hourglass.client.HourglassClient;
import io.hourglass.thrift.ErrorCode;
import io.hourglass.thrift.PinLaterCheckpointJobRequest;
import io.hourglass.thrift.PinLaterDequeueRequest;
import io.hourglass.thrift.PinLaterJobAckInfo;
import io.hourglass.thrift.PinLaterJobAckRequest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The worker against an in-memory fake of the server: deterministic faults, every RPC recorded. */
class WorkerTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  /** Waits cut to 1 ms: these tests are about what the worker asks for, not when. */
  private static final Timing NO_WAITS = new Timing(Clock.systemUTC(), d -> Thread.sleep(Math.min(1, d.toMillis())));
  /** After one empty dequeue the fetcher sleeps "an hour", i.e. until close() wakes it. */
  private static final ExponentialBackoff SLEEP_FOR_AN_HOUR =
      new ExponentialBackoff(Duration.ofHours(1), Duration.ofHours(1), 0);

  private final FakePinLater fake = new FakePinLater("q");
  private final HourglassClient client = HourglassClient.over(fake, ClientConfig.of("127.0.0.1:1"));
  private final List<Worker> workers = new ArrayList<>();

  @AfterEach
  void closeWorkers() {
    workers.forEach(Worker::close);
  }

  private Worker start(WorkerConfig config, JobHandler handler, Timing timing) {
    Worker w = Worker.start(client, config, handler, timing);
    workers.add(w);
    return w;
  }

  private static Set<String> ackedIn(PinLaterJobAckRequest r) {
    Set<String> out = new HashSet<>();
    if (r != null && r.getJobsSucceeded() != null) {
      r.getJobsSucceeded().forEach(a -> out.add(a.getJobDescriptor()));
    }
    if (r != null && r.getJobsFailed() != null) {
      r.getJobsFailed().forEach(a -> out.add(a.getJobDescriptor()));
    }
    return out;
  }

  @Test
  void dequeueNeverAsksForMoreJobsThanFreeSlots() {
    fake.addJobs(300, 2);
    int concurrency = 4;
    AtomicInteger finished = new AtomicInteger();
    AtomicInteger maxRunning = new AtomicInteger();
    List<String> violations = new java.util.concurrent.CopyOnWriteArrayList<>();
    fake.failDequeue = r -> {
      // Jobs handed out and not finished yet: at most what the worker really holds (a finished
      // job frees its slot a moment after the handler returns), so this check never over-counts.
      int held = fake.handedOut.get() - finished.get();
      if (r.getLimit() + held > concurrency) {
        violations.add("limit " + r.getLimit() + " with " + held + " held");
      }
      return false;
    };
    AtomicInteger running = new AtomicInteger();
    Worker w = start(WorkerConfig.defaults("q", concurrency), job -> {
      maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
      Thread.sleep(job.descriptor().hashCode() & 1);
      running.decrementAndGet();
      finished.incrementAndGet();
    }, NO_WAITS);
    Eventually.await("300 jobs handled", WAIT, () -> w.stats().jobsDone() == 300, w::stats);
    assertEquals(concurrency, fake.dequeues.get(0).getLimit(), "the first dequeue asks for every slot");
    assertTrue(maxRunning.get() <= concurrency, "ran " + maxRunning.get() + " at once");
    assertTrue(violations.isEmpty(), violations.toString());
  }

  @Test
  void acksOfAFailedDequeueRideOnALaterDequeue() {
    List<String> jobs = fake.addJobs(3, 2);
    AtomicReference<PinLaterDequeueRequest> failed = new AtomicReference<>();
    fake.failDequeue = r -> r.getJobAckRequest() != null && failed.compareAndSet(null, r);
    Worker w = start(WorkerConfig.defaults("q", 1).withAcks(1000, Duration.ofHours(1)), job -> {}, NO_WAITS);

    Eventually.await("every job acked", WAIT, () -> fake.successAcksApplied().size() == 3, fake::successAcksApplied);
    Set<String> lost = ackedIn(failed.get().getJobAckRequest());
    assertFalse(lost.isEmpty());
    List<PinLaterDequeueRequest> dequeues = List.copyOf(fake.dequeues); // the fetcher goes on dequeuing
    int failedAt = dequeues.indexOf(failed.get());
    assertTrue(dequeues.subList(failedAt + 1, dequeues.size()).stream()
        .anyMatch(r -> ackedIn(r.getJobAckRequest()).containsAll(lost)), "resent on a later dequeue");
    assertEquals(Map.of(jobs.get(0), 1, jobs.get(1), 1, jobs.get(2), 1), fake.successAcksApplied());
    assertEquals(1, w.stats().dequeueFailures());
    assertEquals(0, w.stats().acksDropped());
  }

  @Test
  void acksTheServerCouldNotApplyAreSentAgainOnALaterDequeue() {
    List<String> jobs = fake.addJobs(3, 2);
    AtomicInteger refusals = new AtomicInteger();
    // jobs.get(0)'s shard is "down" for the first two dequeues that carry its ack.
    fake.ackShardDown = d -> d.equals(jobs.get(0)) && refusals.incrementAndGet() <= 2;
    Worker w = start(WorkerConfig.defaults("q", 1).withAcks(1000, Duration.ofHours(1)), job -> {}, NO_WAITS);

    Eventually.await("every job acked", WAIT, () -> fake.successAcksApplied().size() == 3, fake::successAcksApplied);
    assertEquals(Map.of(jobs.get(0), 1, jobs.get(1), 1, jobs.get(2), 1), fake.successAcksApplied());
    long carried = fake.dequeues.stream().filter(r -> ackedIn(r.getJobAckRequest()).contains(jobs.get(0))).count();
    assertEquals(3, carried, "refused twice, applied the third time");
    assertEquals(0, w.stats().dequeueFailures());
    assertEquals(0, w.stats().acksDropped());
  }

  @Test
  void ackTheServerRefusesAsInvalidIsDroppedNotRetriedForever() throws Exception {
    fake.addJobs(1, 2);
    fake.ackError = ErrorCode.QUEUE_NOT_FOUND;
    CountDownLatch fetcherAsleep = new CountDownLatch(1);
    Worker w = start(WorkerConfig.defaults("q", 2).withIdleBackoff(SLEEP_FOR_AN_HOUR).withAcks(1000, Duration.ofMillis(10)),
        job -> fetcherAsleep.await(), Timing.system());
    // The ack can only go alone: the fetcher is asleep after an empty dequeue.
    Eventually.await("empty dequeue", WAIT, () -> w.stats().emptyDequeues() == 1);
    fetcherAsleep.countDown();
    Eventually.await("ack dropped", WAIT, () -> w.stats().acksDropped() == 1, w::stats);
    Thread.sleep(100);
    assertEquals(1, w.stats().ackRpcs(), "not retried");
  }

  @Test
  void ackThatFailsTransientlyIsRetriedUntilDelivered() throws Exception {
    List<String> jobs = fake.addJobs(1, 2);
    fake.ackError = ErrorCode.SHARD_CONNECTION_FAILED;
    CountDownLatch fetcherAsleep = new CountDownLatch(1);
    WorkerConfig config = WorkerConfig.defaults("q", 2)
        .withIdleBackoff(SLEEP_FOR_AN_HOUR)
        .withErrorBackoff(new ExponentialBackoff(Duration.ofMillis(1), Duration.ofMillis(5), 0))
        .withAcks(1000, Duration.ofMillis(10));
    Worker w = start(config, job -> fetcherAsleep.await(), Timing.system());
    Eventually.await("empty dequeue", WAIT, () -> w.stats().emptyDequeues() == 1);
    fetcherAsleep.countDown();
    Eventually.await("a few failed sends", WAIT, () -> w.stats().ackRpcFailures() >= 3, w::stats);
    fake.ackError = null;
    Eventually.await("ack delivered", WAIT, () -> fake.successAcksApplied().containsKey(jobs.get(0)));
    assertEquals(0, w.stats().acksDropped());
  }

  @Test
  void shutdownSendsTheAcksStillBuffered() throws Exception {
    List<String> jobs = fake.addJobs(1, 2);
    CountDownLatch fetcherAsleep = new CountDownLatch(1);
    Worker w = start(WorkerConfig.defaults("q", 2).withIdleBackoff(SLEEP_FOR_AN_HOUR).withAcks(1000, Duration.ofHours(1)),
        job -> fetcherAsleep.await(), Timing.system());
    Eventually.await("empty dequeue", WAIT, () -> w.stats().emptyDequeues() == 1);
    fetcherAsleep.countDown();
    Eventually.await("job handled", WAIT, () -> w.stats().jobsSucceeded() == 1);
    assertTrue(fake.successAcksApplied().isEmpty(), "still buffered");
    w.close();
    assertEquals(Map.of(jobs.get(0), 1), fake.successAcksApplied());
    assertEquals(1, fake.ackCalls.size());
  }

  @Test
  void handlerExceptionBecomesAFailureAckWithTheRetryBackoffOfItsAttempt() {
    String job = fake.addJobs(1, 3).get(0);
    WorkerConfig config = WorkerConfig.defaults("q", 1)
        .withRetryBackoff(new ExponentialBackoff(Duration.ofSeconds(1), Duration.ofHours(1), 0))
        .withAcks(1, Duration.ofMillis(1));
    Worker w = start(config, j -> {
      throw new IllegalStateException("boom on attempt " + j.attempt());
    }, NO_WAITS);
    Eventually.await("three failure acks", WAIT, () -> fake.failureAcksApplied().size() == 3, fake::failureAcksApplied);
    List<PinLaterJobAckInfo> acks = fake.failureAcksApplied();
    assertEquals(List.of(1000L, 2000L, 4000L), acks.stream().map(PinLaterJobAckInfo::getRetryDelayMillis).toList());
    assertTrue(acks.get(1).getAppendCustomStatus().contains("attempt 2 failed: java.lang.IllegalStateException: boom on attempt 2"),
        acks.get(1).getAppendCustomStatus());
    assertEquals(job, acks.get(2).getJobDescriptor());
    assertEquals(3, w.stats().jobsFailed());
  }

  @Test
  void failedHeartbeatIsCountedAndTheJobStillCompletes() {
    String job = fake.addJobs(1, 2).get(0);
    fake.checkpointError = ErrorCode.UNKNOWN;
    Worker w = start(WorkerConfig.defaults("q", 1).withHeartbeat(Duration.ofMillis(10)), j -> {
      // A long job: runs until three heartbeats have failed.
      while (fake.checkpoints.size() < 3) {
        Thread.sleep(5);
      }
    }, NO_WAITS);
    Eventually.await("job acked", WAIT, () -> fake.successAcksApplied().containsKey(job), w::stats);
    assertTrue(w.stats().checkpointFailures() >= 3, w.stats().toString());
    PinLaterCheckpointJobRequest beat = fake.checkpoints.get(0).getRequests().get(0);
    assertEquals(job, beat.getJobDescriptor());
    assertFalse(beat.isMoveToPending(), "a heartbeat never gives the job back");
  }

  @Test
  void jobStillRunningAfterTheShutdownGraceIsLeftUnacked() throws Exception {
    fake.addJobs(1, 2);
    CountDownLatch started = new CountDownLatch(1);
    Worker w = start(WorkerConfig.defaults("q", 1).withShutdownGrace(Duration.ofMillis(50)), job -> {
      started.countDown();
      Thread.sleep(TimeUnit.HOURS.toMillis(1));
    }, NO_WAITS);
    assertTrue(started.await(10, TimeUnit.SECONDS));
    w.close();
    assertTrue(fake.successAcksApplied().isEmpty());
    assertTrue(fake.failureAcksApplied().isEmpty(), "the interrupt must not burn an attempt");
    assertEquals(1, w.stats().acksDropped());
  }

  @Test
  void emptyQueueBackoffGrowsToItsCapAndStartsOverWhenJobsArrive() {
    List<Duration> sleeps = new ArrayList<>();
    Timing counting = new Timing(Clock.systemUTC(), d -> {
      int n;
      synchronized (sleeps) {
        sleeps.add(d);
        n = sleeps.size();
      }
      if (n == 10) {
        fake.addJobs(1, 2);
      } else if (n >= 12) {
        Thread.sleep(TimeUnit.HOURS.toMillis(1)); // until close() wakes the fetcher
      }
    });
    WorkerConfig config = WorkerConfig.defaults("q", 1)
        .withIdleBackoff(new ExponentialBackoff(Duration.ofMillis(100), Duration.ofMillis(800), 0));
    Worker w = start(config, job -> {}, counting);
    Eventually.await("job handled", WAIT, () -> w.stats().jobsSucceeded() == 1);
    Eventually.await("two more sleeps", WAIT, () -> sleeps.size() >= 12);
    synchronized (sleeps) {
      assertEquals(List.of(100L, 200L, 400L, 800L, 800L, 800L, 800L, 800L, 800L, 800L, 100L, 200L),
          sleeps.subList(0, 12).stream().map(Duration::toMillis).toList());
    }
  }
}
