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
 * request fails (retryably) after applying what it could.
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
