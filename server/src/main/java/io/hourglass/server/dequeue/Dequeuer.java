package io.hourglass.server.dequeue;

import com.twitter.util.Future;
import io.hourglass.server.queue.ClaimedJob;
import io.hourglass.server.queue.Coordinator;
import io.hourglass.server.queue.DequeueRequest;
import io.hourglass.server.queue.QueueException;
import io.hourglass.server.ratelimit.DequeueRateLimiter;
import java.util.List;

/**
 * Owns a dequeue from the moment its piggy-backed acks are under way (the edge starts them
 * through {@link PiggyBackedAcks}) to the jobs it answers with: the queue's rate limit, the
 * priority × shard fan-out with its empty-slot knowledge (through the {@link Coordinator}),
 * long-poll waiting ({@link LongPoll}), and releasing jobs that cannot be delivered.
 */
public final class Dequeuer {
  private final Coordinator coordinator;
  private final DequeueRateLimiter limiter;
  private final LongPoll longPoll;

  /** @param longPoll null: no long-poll (every dequeue answers after one attempt) */
  public Dequeuer(Coordinator coordinator, DequeueRateLimiter limiter, LongPoll longPoll) {
    this.coordinator = coordinator;
    this.limiter = limiter;
    this.longPoll = longPoll;
  }

  /**
   * Claims jobs now; if there are none and {@code waitMillis} is positive, waits up to that long
   * for new work. A rate-limited first attempt fails with DEQUEUE_RATE_LIMITED; while waiting, a
   * rate-limited attempt just finds nothing.
   */
  public Future<List<ClaimedJob>> dequeue(DequeueRequest request, long waitMillis) {
    boolean waits = waitMillis > 0 && !request.dryRun() && longPoll != null;
    long signalsSeen = waits ? longPoll.signals(request.queue()) : 0;
    List<ClaimedJob> claimed = withinRateLimit(request, true);
    if (!claimed.isEmpty() || !waits) {
      return Future.value(claimed);
    }
    return longPoll.await(new LongPoll.Wait(request.queue(), request.limit(), waitMillis, signalsSeen,
        () -> withinRateLimit(request, false), jobs -> release(request, jobs)));
  }

  /** Puts claimed jobs back that could not be handed to the dequeuer. */
  public void release(DequeueRequest request, List<ClaimedJob> jobs) {
    if (!request.dryRun() && !jobs.isEmpty()) {
      coordinator.release(request.queue(), request.claimant(), jobs);
    }
  }

  /**
   * One attempt within the queue's rate limit: claims at most the jobs the limiter grants and
   * gives back what it did not claim.
   */
  private List<ClaimedJob> withinRateLimit(DequeueRequest request, boolean throwWhenLimited) {
    if (request.dryRun()) {
      return coordinator.dequeue(request);
    }
    int granted;
    try {
      granted = limiter.acquire(request.queue(), request.limit());
    } catch (QueueException e) {
      if (throwWhenLimited || e.kind() != QueueException.Kind.DEQUEUE_RATE_LIMITED) {
        throw e;
      }
      return List.of();
    }
    List<ClaimedJob> claimed = List.of();
    try {
      claimed = coordinator.dequeue(
          new DequeueRequest(request.queue(), granted, request.claimant(), false, request.coverage()));
      return claimed;
    } finally {
      limiter.giveBack(request.queue(), granted - claimed.size());
    }
  }
}
