package io.hourglass.server.maintenance;

import io.hourglass.server.metrics.JobCounter;
import io.hourglass.server.queue.QueueException;
import io.hourglass.server.queue.QueueName;
import io.hourglass.server.queue.Shard;

/**
 * Expiry sweep: PENDING jobs whose expiry has come move to FAILED with the custom status
 * "expired at …" (claims already never hand them out), {@code maintenance.batchSize} per
 * statement, soonest expiry first. Every {@code maintenance.expiryIntervalMillis}; a cycle
 * takes the shard's lease only when a plain read finds an expired job in some queue (most
 * cycles find none: such a cycle was 6–7 statements per shard, the lease's included, and is now
 * 1 + 1 per queue).
 */
public final class JobExpirer extends MaintenanceService {
  public static final String TASK = "expire";

  public JobExpirer(Context context) {
    super(TASK, context);
  }

  @Override
  protected boolean worthLeasing(Shard shard) {
    long now = context.clock().millis();
    for (String name : shard.backend().queueNames()) {
      try {
        if (shard.backend().hasExpiredJobs(QueueName.of(name), now)) {
          return true;
        }
      } catch (QueueException e) {
        if (e.kind() != QueueException.Kind.QUEUE_NOT_FOUND) { // deleted meanwhile: nothing due
          throw e;
        }
      }
    }
    return false;
  }

  @Override
  protected long maintain(Shard shard, QueueName queue) {
    long now = context.clock().millis();
    int batch = context.batchSize();
    int moved;
    long total = 0;
    do {
      moved = shard.backend().expireJobs(queue, now, batch);
      context.metrics().count(JobCounter.EXPIRED, queue.value(), moved);
      total += moved;
    } while (moved == batch && !stopped());
    return total;
  }
}
