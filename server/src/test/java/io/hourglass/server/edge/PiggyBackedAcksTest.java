package io.hourglass.server.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hourglass.server.metrics.ServerMetrics;
import com.twitter.util.Await;
import io.hourglass.server.queue.Ack;
import io.hourglass.server.queue.ClaimRequest;
import io.hourglass.server.queue.ClaimedJob;
import io.hourglass.server.queue.Coordinator;
import io.hourglass.server.queue.EmptySlotCache;
import io.hourglass.server.queue.InMemoryBackend;
import io.hourglass.server.queue.JobDescriptor;
import io.hourglass.server.queue.NewJob;
import io.hourglass.server.queue.QueueAdmin;
import io.hourglass.server.queue.QueueException;
import io.hourglass.server.queue.QueueName;
import io.hourglass.server.queue.Shard;
import io.hourglass.server.ratelimit.DequeueRateLimiter;
import io.hourglass.testing.MutableClock;
import io.hourglass.testing.TestServer;
import io.hourglass.thrift.ErrorCode;
import io.hourglass.thrift.PinLaterDequeueRequest;
import io.hourglass.thrift.PinLaterDequeueResponse;
import io.hourglass.thrift.PinLaterException;
import io.hourglass.thrift.PinLaterJobAckInfo;
import io.hourglass.thrift.PinLaterJobAckRequest;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Acks piggy-backed on a dequeue when one shard cannot be reached: the dequeue is still served by
 * the other shards and names the acks it could not apply, so the worker keeps them; a plain ack
 * request fails (retryably) after applying what it could. Success acks run beside the claim; a
 * dequeue holding claimed jobs waits for them only {@code PiggyBackedAcks.GRACE}.
 */
class PiggyBackedAcksTest {
  final MutableClock clock = MutableClock.startingNow();
  final QueueName q = QueueName.of("q");
  InMemoryBackend healthy;
  InMemoryBackend failingAcks;
  PinLaterService service;
  String onHealthy;
  String onFailing;

  @BeforeEach
  void twoShardsOneOfWhichCannotAck() {
    healthy = new InMemoryBackend(1, clock);
    failingAcks = new InMemoryBackend(2, clock) {
      @Override
      public synchronized int ackSucceeded(QueueName queue, String claimant, List<Ack> acks) {
        if (acks.isEmpty()) {
          return 0;
        }
        throw new QueueException(QueueException.Kind.SHARD_CONNECTION_FAILED, "shard 2 is unreachable");
      }
    };
    for (InMemoryBackend b : List.of(healthy, failingAcks)) {
      b.createQueue(q);
    }
    service = serviceOver(List.of(new Shard(healthy, false), new Shard(failingAcks, false)));
    onHealthy = claimOne(healthy);
    onFailing = claimOne(failingAcks);
    healthy.enqueue(q, List.of(new NewJob("next".getBytes(), 1, clock.millis(), 2, "")));
  }

  private PinLaterService serviceOver(List<Shard> shards) {
    Coordinator coordinator = new Coordinator(() -> shards, 3, new EmptySlotCache(clock, 0));
    return new PinLaterService(new PinLaterService.Parts(coordinator, new QueueAdmin(() -> shards),
        new RequestReader(clock, new RequestReader.Bounds(3, 100, 0)), new DeleteGuard(""), null,
        new ServerMetrics(),
        new PinLaterService.Admission(DequeueRateLimiter.unlimited(), new EnqueueGate(10)),
        new io.hourglass.server.schedule.Schedules(() -> shards, clock)));
  }

  private String claimOne(InMemoryBackend b) {
    JobDescriptor d = b.enqueue(q, List.of(new NewJob("x".getBytes(), 1, clock.millis(), 2, ""))).get(0);
    List<ClaimedJob> claimed = b.claim(new ClaimRequest(q, 1, 1, TestServer.CONTEXT.getSource()));
    assertEquals(d, claimed.get(0).descriptor());
    return d.toString();
  }

  private PinLaterJobAckRequest acks() {
    return new PinLaterJobAckRequest("q").setJobsSucceeded(
        List.of(new PinLaterJobAckInfo(onHealthy), new PinLaterJobAckInfo(onFailing)));
  }

  @Test
  void dequeueIsServedAndNamesTheAcksItCouldNotApply() throws Exception {
    PinLaterDequeueResponse r = Await.result(service.dequeueJobs(TestServer.CONTEXT,
        new PinLaterDequeueRequest("q", 10).setJobAckRequest(acks())));
    assertEquals(1, r.getJobs().size(), "the healthy shard's pending job");
    assertEquals(List.of(onFailing), r.getUnappliedAckDescriptors());
    assertEquals(io.hourglass.server.queue.JobState.SUCCEEDED,
        healthy.lookup(q, List.of(JobDescriptor.parse(onHealthy, "d").localId()), false).get(0).state());
  }

  @Test
  void dequeueWithAllAcksAppliedReportsNothingUnapplied() throws Exception {
    PinLaterDequeueResponse r = Await.result(service.dequeueJobs(TestServer.CONTEXT,
        new PinLaterDequeueRequest("q", 10).setJobAckRequest(new PinLaterJobAckRequest("q")
            .setJobsSucceeded(List.of(new PinLaterJobAckInfo(onHealthy))))));
    assertTrue(!r.isSetUnappliedAckDescriptors());
  }

  @Test
  void plainAckRequestFailsRetryablyAfterApplyingTheReachableShards() throws Exception {
    Throwable t = Await.result(service.ackDequeuedJobs(TestServer.CONTEXT, acks()).liftToTry()).throwable();
    assertEquals(ErrorCode.SHARD_CONNECTION_FAILED, ((PinLaterException) t).getErrorCode());
    assertEquals(io.hourglass.server.queue.JobState.SUCCEEDED,
        healthy.lookup(q, List.of(JobDescriptor.parse(onHealthy, "d").localId()), false).get(0).state());
  }

  /** One shard whose success acks wait until {@code release} opens (or 10 s). */
  private InMemoryBackend slowAcks(java.util.concurrent.CountDownLatch ackStarted,
      java.util.concurrent.CountDownLatch release, java.util.concurrent.CountDownLatch claimedWhileAckRuns) {
    InMemoryBackend b = new InMemoryBackend(3, clock) {
      volatile boolean ackRunning;

      @Override
      public int ackSucceeded(QueueName queue, String claimant, List<Ack> acks) {
        ackRunning = true;
        ackStarted.countDown();
        try {
          release.await(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        ackRunning = false;
        return super.ackSucceeded(queue, claimant, acks);
      }

      @Override
      public List<ClaimedJob> claim(ClaimRequest request) {
        List<ClaimedJob> got = super.claim(request);
        if (ackRunning) {
          claimedWhileAckRuns.countDown();
        }
        return got;
      }
    };
    b.createQueue(q);
    return b;
  }

  private static PinLaterJobAckRequest succeeded(String descriptor) {
    return new PinLaterJobAckRequest("q").setJobsSucceeded(List.of(new PinLaterJobAckInfo(descriptor)));
  }

  @Test
  void successAcksRunBesideTheClaimAndAQuickAckIsAnsweredAsApplied() throws Exception {
    var ackStarted = new java.util.concurrent.CountDownLatch(1);
    var release = new java.util.concurrent.CountDownLatch(1);
    var claimedBeside = new java.util.concurrent.CountDownLatch(1);
    InMemoryBackend b = slowAcks(ackStarted, release, claimedBeside);
    String done = claimOne(b);
    b.enqueue(q, List.of(new NewJob("next".getBytes(), 1, clock.millis(), 2, "")));
    PinLaterService over = serviceOver(List.of(new Shard(b, false)));
    // On a thread of its own: an edge that applied the acks inside the call, before claiming, would block here.
    var call = java.util.concurrent.CompletableFuture.supplyAsync(
        () -> over.dequeueJobs(TestServer.CONTEXT, new PinLaterDequeueRequest("q", 10).setJobAckRequest(succeeded(done))));
    assertTrue(ackStarted.await(5, java.util.concurrent.TimeUnit.SECONDS));
    assertTrue(claimedBeside.await(5, java.util.concurrent.TimeUnit.SECONDS), "the claim ran while the ack was running");
    release.countDown(); // well within the grace: the claim just finished
    PinLaterDequeueResponse r = Await.result(call.get(10, java.util.concurrent.TimeUnit.SECONDS),
        com.twitter.util.Duration.fromSeconds(10));
    assertEquals(1, r.getJobs().size());
    assertTrue(!r.isSetUnappliedAckDescriptors(), "the ack finished within the grace: applied");
    assertEquals(io.hourglass.server.queue.JobState.SUCCEEDED,
        b.lookup(q, List.of(JobDescriptor.parse(done, "d").localId()), false).get(0).state());
  }

  @Test
  void aDequeueWhoseAckIsStuckHandsOutItsJobsWithinTheGraceAndNamesTheAckUnapplied() throws Exception {
    var ackStarted = new java.util.concurrent.CountDownLatch(1);
    var release = new java.util.concurrent.CountDownLatch(1);
    var claimedBeside = new java.util.concurrent.CountDownLatch(1);
    InMemoryBackend b = slowAcks(ackStarted, release, claimedBeside);
    String stuck = claimOne(b);
    b.enqueue(q, List.of(new NewJob("next".getBytes(), 1, clock.millis(), 2, "")));
    long start = System.nanoTime();
    PinLaterDequeueResponse r;
    try {
      r = Await.result(serviceOver(List.of(new Shard(b, false))).dequeueJobs(TestServer.CONTEXT,
          new PinLaterDequeueRequest("q", 10).setJobAckRequest(succeeded(stuck))), com.twitter.util.Duration.fromSeconds(10));
    } finally {
      release.countDown();
    }
    long tookMillis = (System.nanoTime() - start) / 1_000_000;
    assertEquals(1, r.getJobs().size(), "the claimed job is handed out");
    assertEquals(List.of(stuck), r.getUnappliedAckDescriptors());
    assertTrue(tookMillis >= io.hourglass.server.dequeue.PiggyBackedAcks.GRACE.toMillis(),
        "waited the grace for the ack: " + tookMillis + " ms");
    assertTrue(tookMillis < 2_000, "answered soon after the grace, not when the ack gave up (10 s): " + tookMillis + " ms");
  }

  @Test
  void aDequeueThatClaimsNothingWaitsForItsAcks() throws Exception {
    var ackStarted = new java.util.concurrent.CountDownLatch(1);
    var release = new java.util.concurrent.CountDownLatch(1);
    InMemoryBackend b = slowAcks(ackStarted, release, new java.util.concurrent.CountDownLatch(1));
    String done = claimOne(b);
    var call = serviceOver(List.of(new Shard(b, false))).dequeueJobs(TestServer.CONTEXT,
        new PinLaterDequeueRequest("q", 10).setJobAckRequest(succeeded(done)));
    assertTrue(ackStarted.await(5, java.util.concurrent.TimeUnit.SECONDS));
    Thread.sleep(3 * io.hourglass.server.dequeue.PiggyBackedAcks.GRACE.toMillis());
    assertTrue(!call.isDefined(), "no answer while the ack runs: the dequeue holds no claim");
    release.countDown();
    PinLaterDequeueResponse r = Await.result(call, com.twitter.util.Duration.fromSeconds(10));
    assertTrue(r.getJobs().isEmpty());
    assertTrue(!r.isSetUnappliedAckDescriptors());
  }

  @Test
  void aFailedAckIsAppliedBeforeTheClaimSoTheSameDequeueCanGetItsJobBack() throws Exception {
    InMemoryBackend one = new InMemoryBackend(4, clock);
    one.createQueue(q);
    String failed = claimOne(one);
    PinLaterDequeueResponse r = Await.result(serviceOver(List.of(new Shard(one, false))).dequeueJobs(TestServer.CONTEXT,
        new PinLaterDequeueRequest("q", 10).setJobAckRequest(new PinLaterJobAckRequest("q")
            .setJobsFailed(List.of(new PinLaterJobAckInfo(failed).setRetryDelayMillis(0))))));
    assertEquals(java.util.Set.of(failed), r.getJobs().keySet(), "the failed job, pending again, is claimed at once");
  }
}
