package io.hourglass.server.maintenance;

import io.hourglass.server.queue.QueueName;
import io.hourglass.server.queue.Shard;

/**
 * Background counts for the dashboard and the queue-depth gauges: per (queue, shard, state,
 * priority), counted over an index only, stored in the shard's hourglass_queue_counts table, so
 * that every server serves them and page views run no count. One server per shard per
 * {@code admin.countsRefreshMillis}, through the maintenance lease.
 */
public final class QueueCounter extends MaintenanceService {
  public static final String TASK = "counts";

  public QueueCounter(Context context) {
    super(TASK, context);
  }

  @Override
  protected long maintain(Shard shard, QueueName queue) {
    return shard.backend().dashboard().refreshCounts(queue, context.clock().millis()).size();
  }
}
