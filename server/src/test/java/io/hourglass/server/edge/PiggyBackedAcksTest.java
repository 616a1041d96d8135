package io.hourglass.server.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.twitter.util.Await;
import com.twitter.util.Future;
import io.hourglass.server.dequeue.PiggyBackedAcks;
import io.hourglass.server.metrics.ServerMetrics;
import io.hourglass.server.queue.Ack;
import io.hourglass.server.queue.ClaimRequest;
import io.hourglass.server.queue.ClaimedJob;
import io.hourglass.server.queue.Coordinator;
import io.hourglass.server.queue.EmptySlotCache;
import io.hourglass.server.queue.InMemoryBackend;
import io.hourglass.server.queue.JobDescriptor;
import io.hourglass.server.queue.JobState;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
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
    assertEquals(JobState.SUCCEEDED,
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
    assertEquals(JobState.SUCCEEDED,
        healthy.lookup(q, List.of(JobDescriptor.parse(onHealthy, "d").localId()), false).get(0).state());
  }

  /**
   * One shard whose success acks wait until {@code release} opens (or 10 s), holding one job
   * claimed by the test's claimant ({@code claimed}) and, if asked, another one pending.
   */
  private final class SlowAckShard {
    final CountDownLatch ackStarted = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    final CountDownLatch claimedBeforeAckFinished = new CountDownLatch(1);
    final InMemoryBackend backend = new InMemoryBackend(3, clock) {
      volatile boolean ackFinished;

      @Override
      public int ackSucceeded(QueueName queue, String claimant, List<Ack> acks) {
        ackStarted.countDown();
        try {
          release.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        ackFinished = true;
        return super.ackSucceeded(queue, claimant, acks);
      }

      @Override
      public List<ClaimedJob> claim(ClaimRequest request) {
        List<ClaimedJob> got = super.claim(request);
        if (armed && !ackFinished) {
          claimedBeforeAckFinished.countDown();
        }
        return got;
      }
    };
    /** Set once the set-up's own claim is done: only the dequeue's claims count. */
    volatile boolean armed;
    final String claimed;

    SlowAckShard(boolean anotherJobPending) {
      backend.createQueue(q);
      claimed = claimOne(backend);
      if (anotherJobPending) {
        backend.enqueue(q, List.of(new NewJob("next".getBytes(), 1, clock.millis(), 2, "")));
      }
      armed = true;
    }

    Future<PinLaterDequeueResponse> dequeueAckingTheClaimedJob() {
      return serviceOver(List.of(new Shard(backend, false))).dequeueJobs(TestServer.CONTEXT,
          new PinLaterDequeueRequest("q", 10).setJobAckRequest(
              new PinLaterJobAckRequest("q").setJobsSucceeded(List.of(new PinLaterJobAckInfo(claimed)))));
    }

    JobState stateOfClaimedJob() {
      return backend.lookup(q, List.of(JobDescriptor.parse(claimed, "d").localId()), false).get(0).state();
    }
  }

  @Test
  void successAcksRunBesideTheClaimAndAQuickAckIsAnsweredAsApplied() throws Exception {
    SlowAckShard shard = new SlowAckShard(true);
    // On a thread of its own: an edge that applied the acks inside the call, before claiming, would block here.
    var call = CompletableFuture.supplyAsync(shard::dequeueAckingTheClaimedJob);
    assertTrue(shard.ackStarted.await(5, TimeUnit.SECONDS));
    // The ack cannot finish before release opens: a claim before that did not wait for the ack.
    assertTrue(shard.claimedBeforeAckFinished.await(5, TimeUnit.SECONDS), "the claim ran before the ack finished");
    shard.release.countDown(); // well within the grace: the claim just finished
    PinLaterDequeueResponse r = Await.result(call.get(10, TimeUnit.SECONDS), com.twitter.util.Duration.fromSeconds(10));
    assertEquals(1, r.getJobs().size());
    assertTrue(!r.isSetUnappliedAckDescriptors(), "the ack finished within the grace: applied");
    assertEquals(JobState.SUCCEEDED, shard.stateOfClaimedJob());
  }

  @Test
  void aDequeueWhoseAckIsStuckHandsOutItsJobsWithinTheGraceAndNamesTheAckUnapplied() throws Exception {
    SlowAckShard shard = new SlowAckShard(true);
    long start = System.nanoTime();
    PinLaterDequeueResponse r;
    try {
      r = Await.result(shard.dequeueAckingTheClaimedJob(), com.twitter.util.Duration.fromSeconds(10));
    } finally {
      shard.release.countDown();
    }
    long tookMillis = (System.nanoTime() - start) / 1_000_000;
    assertEquals(1, r.getJobs().size(), "the claimed job is handed out");
    assertEquals(List.of(shard.claimed), r.getUnappliedAckDescriptors());
    assertTrue(tookMillis >= PiggyBackedAcks.GRACE.toMillis(), "waited the grace for the ack: " + tookMillis + " ms");
    assertTrue(tookMillis < 2_000, "answered soon after the grace, not when the ack gave up (10 s): " + tookMillis + " ms");
  }

  @Test
  void aDequeueThatClaimsNothingWaitsForItsAcks() throws Exception {
    SlowAckShard shard = new SlowAckShard(false);
    var call = shard.dequeueAckingTheClaimedJob();
    assertTrue(shard.ackStarted.await(5, TimeUnit.SECONDS));
    Thread.sleep(3 * PiggyBackedAcks.GRACE.toMillis());
    assertTrue(!call.isDefined(), "no answer while the ack runs: the dequeue holds no claim");
    shard.release.countDown();
    PinLaterDequeueResponse r = Await.result(call, com.twitter.util.Duration.fromSeconds(10));
    assertTrue(r.getJobs().isEmpty());
    assertTrue(!r.isSetUnappliedAckDescriptors());
    assertEquals(JobState.SUCCEEDED, shard.stateOfClaimedJob());
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
