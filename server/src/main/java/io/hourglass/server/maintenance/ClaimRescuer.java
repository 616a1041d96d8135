package io.hourglass.server.maintenance;

import io.hourglass.server.metrics.JobCounter;
import io.hourglass.server.queue.NewWork;
import io.hourglass.server.queue.QueueName;
import io.hourglass.server.queue.RescueResult;
import io.hourglass.server.queue.Shard;

/**
 * Claim-timeout rescue ("lifeline"): a job IN_PROGRESS for longer than its queue's claim timeout
 * (no ack, no checkpoint: the worker is gone) goes back to PENDING, or to FAILED when its claim
 * used the last attempt. Every {@code maintenance.rescueIntervalMillis}.
 */
public final class ClaimRescuer extends MaintenanceService {
  public static final String TASK = "rescue";

  private final NewWork newWork;

  public ClaimRescuer(Context context) {
    this(context, NewWork.NONE);
  }

  /** @param newWork told how many jobs went back to PENDING (wakes long-polling dequeues) */
  public ClaimRescuer(Context context, NewWork newWork) {
    super(TASK, context);
    this.newWork = newWork;
  }

  @Override
  protected long maintain(Shard shard, QueueName queue) {
    long timeout = context.queueConfig().get().forQueue(queue.value()).claimTimeout().toMillis();
    long claimedBefore = context.clock().millis() - timeout;
    int batch = context.batchSize();
    RescueResult r;
    long moved = 0;
    do {
      r = shard.backend().rescueExpiredClaims(queue, claimedBefore, batch);
      context.metrics().count(JobCounter.RESCUED_PENDING, queue.value(), r.toPending());
      context.metrics().count(JobCounter.RESCUED_FAILED, queue.value(), r.toFailed());
      moved += r.toPending() + r.toFailed();
      if (r.toPending() > 0) {
        newWork.added(queue, r.toPending());
      }
    } while ((r.toPending() == batch || r.toFailed() == batch) && !stopped());
    return moved;
  }
}
