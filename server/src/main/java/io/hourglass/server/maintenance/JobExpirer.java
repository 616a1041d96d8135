package io.hourglass.server.maintenance;

import io.hourglass.server.metrics.JobCounter;
import io.hourglass.server.queue.QueueName;
import io.hourglass.server.queue.Shard;

/**
 * Expiry sweep: PENDING jobs whose expiry has come move to FAILED with the custom status
 * "expired at …" (claims already never hand them out), {@code maintenance.batchSize} per
 * statement, soonest expiry first. Every {@code maintenance.expiryIntervalMillis}.
 */
public final class JobExpirer extends MaintenanceService {
  public static final String TASK = "expire";

  public JobExpirer(Context context) {
    super(TASK, context);
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
