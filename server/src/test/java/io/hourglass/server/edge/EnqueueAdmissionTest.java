package io.hourglass.server.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hourglass.server.metrics.ServerMetrics;
import com.twitter.util.Await;
import io.hourglass.server.queue.Coordinator;
import io.hourglass.server.queue.EmptySlotCache;
import io.hourglass.server.queue.InMemoryBackend;
import io.hourglass.server.queue.EnqueuedJob;
import io.hourglass.server.queue.NewJob;
import io.hourglass.server.queue.QueueAdmin;
import io.hourglass.server.queue.QueueName;
import io.hourglass.server.queue.Shard;
import io.hourglass.server.ratelimit.DequeueRateLimiter;
import io.hourglass.testing.MutableClock;
import io.hourglass.testing.TestServer;
import io.hourglass.thrift.ErrorCode;
import io.hourglass.thrift.PinLaterEnqueueRequest;
import io.hourglass.thrift.PinLaterEnqueueResponse;
import io.hourglass.thrift.PinLaterException;
import io.hourglass.thrift.PinLaterJob;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Admission control at the edge, with a storage backend the test can hold mid-enqueue. */
class EnqueueAdmissionTest {
  final MutableClock clock = MutableClock.startingNow();
  final CountDownLatch entered = new CountDownLatch(1);
  final CountDownLatch release = new CountDownLatch(1);

  PinLaterService serviceWithGate(int maxConcurrent) {
    InMemoryBackend slow = new InMemoryBackend(1, clock) {
      @Override
      public List<EnqueuedJob> enqueueJobs(QueueName queue, List<NewJob> jobs) {
        entered.countDown();
        try {
          release.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return super.enqueueJobs(queue, jobs);
      }
    };
    slow.createQueue(QueueName.of("q"));
    List<Shard> shards = List.of(new Shard(slow, false));
    Coordinator coordinator = new Coordinator(() -> shards, 3, new EmptySlotCache(clock, 0));
    return new PinLaterService(new PinLaterService.Parts(coordinator, new QueueAdmin(() -> shards),
        new RequestReader(clock, new RequestReader.Bounds(3, 100, 0)), new DeleteGuard(""), null,
        new ServerMetrics(),
        new PinLaterService.Admission(DequeueRateLimiter.unlimited(), new EnqueueGate(maxConcurrent)),
        new io.hourglass.server.schedule.Schedules(() -> shards, clock)));
  }

  static PinLaterEnqueueRequest oneJob() {
    return new PinLaterEnqueueRequest("q", List.of(new PinLaterJob().setBody("x".getBytes())));
  }

  @Test
  void enqueuesBeyondTheConcurrencyCapAreRejectedAndStoreNothing() throws Exception {
    PinLaterService service = serviceWithGate(1);
    CompletableFuture<PinLaterEnqueueResponse> first = CompletableFuture.supplyAsync(() -> {
      try {
        return Await.result(service.enqueueJobs(TestServer.CONTEXT, oneJob()));
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    assertTrue(entered.await(10, TimeUnit.SECONDS));
    PinLaterException rejected = (PinLaterException) Await.result(
        service.enqueueJobs(TestServer.CONTEXT, oneJob()).liftToTry()).throwable();
    assertEquals(ErrorCode.ENQUEUE_REJECTED, rejected.getErrorCode());
    assertTrue(rejected.getMessage().contains("enqueue.maxConcurrent"), rejected.getMessage());
    release.countDown();
    assertEquals(1, first.get(10, TimeUnit.SECONDS).getJobDescriptors().size());
    // the gate is open again once the first enqueue is done
    assertEquals(1, Await.result(service.enqueueJobs(TestServer.CONTEXT, oneJob())).getJobDescriptors().size());
  }
}
