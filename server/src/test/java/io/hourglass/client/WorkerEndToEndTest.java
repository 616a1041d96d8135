package io.hourglass.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hourglass.client.worker.ExponentialBackoff;
import io.hourglass.client.worker.JobHandler;
import io.hourglass.client.worker.Timing;
import io.hourglass.client.worker.Worker;
import io.hourglass.client.worker.WorkerConfig;
import io.hourglass.client.worker.WorkerStats;
import io.hourglass.testing.MutableClock;
import io.hourglass.testing.TestServer;
import io.hourglass.thrift.PinLaterDequeueRequest;
import io.hourglass.thrift.PinLaterJobInfo;
import io.hourglass.thrift.PinLaterJobState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/** The worker runtime against a real server on real MariaDB shards. */
class WorkerEndToEndTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  /** After one empty dequeue the fetcher sleeps "an hour", i.e. until close() wakes it. */
  private static final ExponentialBackoff SLEEP_FOR_AN_HOUR =
      new ExponentialBackoff(Duration.ofHours(1), Duration.ofHours(1), 0);
  private static final ExponentialBackoff QUICK_RETRIES =
      new ExponentialBackoff(Duration.ofMillis(20), Duration.ofMillis(200), 0.25);

  // The server's clock: moved by hand to make retry delays due without waiting.
  static final MutableClock clock = MutableClock.startingNow();
  static TestServer server;
  RecordingRpc rpc;
  HourglassClient client;
  String queue;
  final List<Worker> workers = new ArrayList<>();

  @BeforeAll
  static void startServer() {
    // Empty-slot cache off: it runs on the server's clock, which these tests move by hand.
    server = TestServer.start(clock, Map.of("dequeue.emptySlotCacheMillis", "0"));
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  @BeforeEach
  void connect(TestInfo info) {
    rpc = new RecordingRpc(server.port());
    client = HourglassClient.over(rpc, Live.config(server.port()));
    queue = info.getTestMethod().orElseThrow().getName();
    queue = queue.substring(0, Math.min(60, queue.length()));
    client.createQueue(queue);
  }

  @AfterEach
  void close() throws Exception {
    workers.forEach(Worker::close);
    client.close();
    rpc.close();
  }

  private Worker start(WorkerConfig config, JobHandler handler) {
    return start(config, handler, Timing.system());
  }

  private Worker start(WorkerConfig config, JobHandler handler, Timing timing) {
    Worker w = Worker.start(client, config, handler, timing);
    workers.add(w);
    return w;
  }

  @Test
  void acksArePiggyBackedOnDequeues() {
    int n = 2000;
    List<String> jobs = Live.enqueue(client, queue, n, 2);
    Worker w = start(WorkerConfig.defaults(queue, 8), job -> {});

    Live.await("every job acked", WAIT, () -> w.stats().acksDelivered() == n, w::stats);
    WorkerStats.Snapshot s = w.stats();
    assertTrue(s.ackRpcs() * 100 <= n, "ackDequeuedJobs calls: " + s);
    assertTrue(s.acksPiggybacked() >= n * 0.9, "piggy-backed: " + s);
    assertTrue(s.dequeueRpcs() < n, "jobs come in batches: " + s);
    assertEquals(Map.of(PinLaterJobState.SUCCEEDED, n), Live.states(client, jobs));
  }

  @Test
  void aHandlerThatGivesUpFailsTheJobAtOnceAndOtherFailuresLeaveTheDelayToTheQueue() {
    List<String> jobs = Live.enqueue(client, queue, 2, 5);
    String hopeless = jobs.get(0);
    Worker w = start(WorkerConfig.defaults(queue, 2), job -> {
      if (job.descriptor().equals(hopeless)) {
        throw new io.hourglass.client.worker.GiveUpException("bad input");
      }
      throw new IllegalStateException("flaky");
    });
    Live.await("both failures acked", WAIT, () -> w.stats().acksDelivered() == 2, w::stats);
    io.hourglass.thrift.PinLaterJobInfo given = Live.lookup(client, hopeless);
    assertEquals(PinLaterJobState.FAILED, given.getJobState(), "gave up with 4 attempts left");
    assertEquals(4, given.getAttemptsRemaining());
    assertEquals(PinLaterJobState.PENDING, Live.lookup(client, jobs.get(1)).getJobState(), "retried");
    List<io.hourglass.thrift.PinLaterJobAckInfo> failed = rpc.failureAcksSent;
    assertEquals(2, failed.size(), failed.toString());
    assertTrue(failed.stream().allMatch(io.hourglass.thrift.PinLaterJobAckInfo::isRetryDelayFromQueuePolicy),
        failed.toString());
  }

  @Test
  void noAckIsLostWhenADequeueFails() {
    List<String> jobs = Live.enqueue(client, queue, 50, 2);
    WorkerConfig config = WorkerConfig.defaults(queue, 4).withErrorBackoff(QUICK_RETRIES);
    rpc.failNextDequeueWithAcks();
    Worker w = start(config, job -> {});

    Live.await("every job acked", WAIT, () -> w.stats().acksDelivered() == 50, w::stats);
    assertEquals(1, rpc.injectedDequeueFailures.get());
    assertEquals(1, w.stats().dequeueFailures());
    List<String> carried = new ArrayList<>();
    rpc.acksOfFailedDequeues.get(0).getJobsSucceeded().forEach(a -> carried.add(a.getJobDescriptor()));
    assertTrue(!carried.isEmpty(), "the failed dequeue carried acks");
    assertEquals(Map.of(PinLaterJobState.SUCCEEDED, carried.size()), Live.states(client, carried));
    assertEquals(Map.of(PinLaterJobState.SUCCEEDED, 50), Live.states(client, jobs));
    assertTrue(rpc.acksSent.values().stream().allMatch(c -> c.get() == 1), "each ack reached the server once");
  }

  @Test
  void acksCarriedByDequeuesToAStoppedServerAreDeliveredAfterItRestarts() throws Exception {
    String database = "hg_restart_" + Long.toHexString(System.nanoTime() & 0xffffffL);
    TestServer first = TestServer.start(clock, Map.of("dequeue.emptySlotCacheMillis", "0"), database);
    int port = first.port();
    HourglassClient direct = HourglassClient.connect(Live.config(port)
        .withConnectTimeout(Duration.ofMillis(500)).withRequestTimeout(Duration.ofSeconds(5)));
    TestServer second = null;
    boolean firstClosed = false;
    try {
      direct.createQueue(queue);
      List<String> jobs = Live.enqueue(direct, queue, 3, 2);
      CountDownLatch handling = new CountDownLatch(1);
      CountDownLatch serverStopped = new CountDownLatch(1);
      Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
      WorkerConfig config = WorkerConfig.defaults(queue, 1)
          .withErrorBackoff(QUICK_RETRIES)
          .withAcks(1000, Duration.ofHours(1)); // acks can only go out on dequeues
      Worker w = Worker.start(direct, config, job -> {
        runs.computeIfAbsent(job.descriptor(), d -> new AtomicInteger()).incrementAndGet();
        handling.countDown();
        serverStopped.await();
      });
      workers.add(w);
      assertTrue(handling.await(30, TimeUnit.SECONDS));
      first.close();
      firstClosed = true;
      serverStopped.countDown();
      Live.await("dequeues failing", WAIT, () -> w.stats().dequeueFailures() >= 3, w::stats);
      assertEquals(0, w.stats().acksDelivered());

      second = TestServer.start(clock,
          Map.of("dequeue.emptySlotCacheMillis", "0", "thrift.port", String.valueOf(port)), database);
      Live.await("every job acked", WAIT, () -> w.stats().acksDelivered() == 3, w::stats);
      assertEquals(Map.of(PinLaterJobState.SUCCEEDED, 3), Live.states(direct, jobs));
      assertTrue(runs.values().stream().allMatch(c -> c.get() == 1), "each job ran once: " + runs);
      assertEquals(0, w.stats().acksDropped());
    } finally {
      workers.forEach(Worker::close);
      workers.clear();
      direct.close();
      if (!firstClosed) {
        first.close();
      }
      if (second != null) {
        second.close();
      }
    }
  }

  @Test
  void shutdownFlushesPendingAcks() throws Exception {
    String job = Live.enqueue(client, queue, 1, 2).get(0);
    CountDownLatch fetcherAsleep = new CountDownLatch(1);
    WorkerConfig config = WorkerConfig.defaults(queue, 2)
        .withIdleBackoff(SLEEP_FOR_AN_HOUR)
        .withAcks(1000, Duration.ofHours(1));
    Worker w = start(config, j -> fetcherAsleep.await());
    // The first dequeue takes the job, the second finds the queue empty: the fetcher sleeps.
    Live.await("an empty dequeue", WAIT, () -> w.stats().emptyDequeues() == 1, w::stats);
    fetcherAsleep.countDown();
    Live.await("job handled", WAIT, () -> w.stats().jobsSucceeded() == 1, w::stats);
    assertEquals(PinLaterJobState.IN_PROGRESS, Live.lookup(client, job).getJobState(), "ack still buffered");
    assertEquals(0, w.stats().ackRpcs());

    w.close();
    assertEquals(1, w.stats().ackRpcs());
    assertEquals(PinLaterJobState.SUCCEEDED, Live.lookup(client, job).getJobState());
  }

  @Test
  void anIdleWorkerLongPollsOnTheServerInsteadOfBackingOff() throws Exception {
    List<Duration> sleeps = java.util.Collections.synchronizedList(new ArrayList<>());
    Timing recording = new Timing(clock, d -> {
      sleeps.add(d);
      Thread.sleep(d.toMillis());
    });
    Worker w = start(WorkerConfig.defaults(queue, 4).withDequeueWait(Duration.ofMillis(1_000)), job -> {}, recording);
    Thread.sleep(3_500);
    w.close();
    WorkerStats.Snapshot s = w.stats();
    // Each empty dequeue waited ~1 s on the server: ~4 in 3.5 s, where a 100 ms backoff makes dozens.
    assertTrue(s.dequeueRpcs() >= 2 && s.dequeueRpcs() <= 6, "dequeues in 3.5 s: " + s.dequeueRpcs());
    assertEquals(List.of(), sleeps, "no client-side idle backoff after a dequeue the server waited out");
  }

  @Test
  void emptyQueueBacksOffUpToTheCap() throws Exception {
    // A fake sleeper: waits cost no real time, and after 60 s of (virtual) waiting it blocks.
    List<Duration> sleeps = new ArrayList<>();
    CountDownLatch windowOver = new CountDownLatch(1);
    Timing virtual = new Timing(clock, d -> {
      Duration slept;
      synchronized (sleeps) {
        sleeps.add(d);
        slept = sleeps.stream().reduce(Duration.ZERO, Duration::plus);
      }
      if (slept.compareTo(Duration.ofSeconds(60)) >= 0) {
        windowOver.countDown();
        Thread.sleep(TimeUnit.HOURS.toMillis(1)); // until close() wakes the fetcher
      }
    });
    ExponentialBackoff backoff = new ExponentialBackoff(Duration.ofMillis(100), Duration.ofSeconds(2), 0.25);
    Worker w = start(WorkerConfig.defaults(queue, 4).withIdleBackoff(backoff).withDequeueWait(Duration.ZERO),
        job -> {}, virtual);
    assertTrue(windowOver.await(30, TimeUnit.SECONDS));
    w.close();

    WorkerStats.Snapshot s = w.stats();
    // A fixed 100 ms poll would make 600 dequeues in 60 s; doubling to a 2 s cap makes ~35.
    assertEquals(s.dequeueRpcs(), s.emptyDequeues());
    assertEquals(sleeps.size(), s.dequeueRpcs(), "one backoff after each empty dequeue");
    assertTrue(s.dequeueRpcs() <= 45, "dequeues in 60 s: " + s.dequeueRpcs());
    for (int i = 0; i < sleeps.size(); i++) {
      long expected = Math.min(2000, 100L << Math.min(i, 10));
      long got = sleeps.get(i).toMillis();
      assertTrue(got <= expected && got >= expected * 0.75 - 1, "sleep " + i + ": " + got + " ms, expected ~" + expected);
    }
  }

  @Test
  void workerProcessesA10kBacklogAckingEveryJobExactlyOnce() {
    int n = 10_000;
    List<String> jobs = Live.enqueue(client, queue, n, 2);
    Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
    Worker w = start(WorkerConfig.defaults(queue, 32),
        job -> runs.computeIfAbsent(job.descriptor(), d -> new AtomicInteger()).incrementAndGet());

    Live.await("every job handled", Duration.ofMinutes(3), () -> w.stats().jobsDone() == n, w::stats);
    w.close();

    WorkerStats.Snapshot s = w.stats();
    assertEquals(n, s.jobsSucceeded());
    assertEquals(n, s.acksDelivered());
    assertEquals(0, s.acksDropped());
    assertEquals(n, runs.size());
    assertTrue(runs.values().stream().allMatch(c -> c.get() == 1), "a job ran twice");
    assertEquals(n, rpc.acksSent.size());
    assertTrue(rpc.acksSent.values().stream().allMatch(c -> c.get() == 1), "a job was acked twice");
    assertTrue(jobs.stream().allMatch(rpc.acksSent::containsKey));
    assertEquals(Map.of(PinLaterJobState.SUCCEEDED, n), Live.states(client, jobs));
    assertTrue(client.dequeueJobs(new PinLaterDequeueRequest(queue, 10)).getJobs().isEmpty(), "nothing left");
    System.out.println("10k backlog: " + s);
  }

  @Test
  void handlerExceptionsProduceFailureAcksWithTheRetryDelayOfTheAttempt() {
    String job = Live.enqueue(client, queue, 1, 3).get(0);
    WorkerConfig config = WorkerConfig.defaults(queue, 1)
        .withIdleBackoff(new ExponentialBackoff(Duration.ofMillis(5), Duration.ofMillis(20), 0))
        .withRetryBackoff(new ExponentialBackoff(Duration.ofSeconds(10), Duration.ofHours(1), 0))
        .withAcks(1, Duration.ofMillis(10));
    List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    Worker w = start(config, j -> {
      seen.add("attempt " + j.attempt() + ", remaining " + j.attemptsRemaining() + (j.isLastAttempt() ? ", last" : ""));
      throw new IllegalStateException("boom on attempt " + j.attempt());
    });

    for (int attempt = 1; attempt <= 2; attempt++) {
      long delay = 10_000L << (attempt - 1);
      int remaining = 3 - attempt;
      Live.await("failure ack of attempt " + attempt, WAIT,
          () -> Live.lookup(client, job).getAttemptsRemaining() == remaining
              && Live.lookup(client, job).getJobState() == PinLaterJobState.PENDING,
          () -> Live.lookup(client, job));
      PinLaterJobInfo info = Live.lookup(client, job);
      assertEquals(clock.millis() + delay, info.getRunAfterTimestampMillis(), "retry delay of attempt " + attempt);
      assertTrue(info.getCustomStatus().contains("attempt " + attempt + " failed: java.lang.IllegalStateException: boom on attempt " + attempt),
          info.getCustomStatus());
      clock.advance(Duration.ofMillis(delay));
    }
    Live.await("the last attempt fails for good", WAIT,
        () -> Live.lookup(client, job).getJobState() == PinLaterJobState.FAILED, () -> Live.lookup(client, job));
    assertEquals(3, w.stats().jobsFailed());
    assertEquals(0, w.stats().jobsSucceeded());
    assertEquals(List.of("attempt 1, remaining 3", "attempt 2, remaining 2", "attempt 3, remaining 1, last"), seen,
        "PinLater's counts: the running attempt is one of those remaining");
  }

  @Test
  void longJobsAreHeartbeatedAndStillAcked() {
    // checkpointJobs may not be implemented by the server yet: then every heartbeat fails, is
    // logged, and the job still completes.
    String job = Live.enqueue(client, queue, 1, 2).get(0);
    Worker w = start(WorkerConfig.defaults(queue, 1).withHeartbeat(Duration.ofMillis(50)),
        j -> Thread.sleep(500));
    Live.await("job acked", WAIT, () -> w.stats().acksDelivered() == 1, w::stats);
    assertTrue(w.stats().checkpointRpcs() >= 3, "heartbeats: " + w.stats());
    assertEquals(PinLaterJobState.SUCCEEDED, Live.lookup(client, job).getJobState());
  }
}
