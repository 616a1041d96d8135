package io.hourglass.server.maintenance;

import io.hourglass.server.metrics.JobCounter;
import io.hourglass.server.queue.JobState;
import io.hourglass.server.queue.QueueName;
import io.hourglass.server.queue.Shard;

/**
 * Garbage collection: deletes SUCCEEDED and FAILED jobs last updated longer ago than their
 * queue's retention, {@code maintenance.batchSize} rows per statement, oldest first, looping
 * until none is left. Every {@code maintenance.gcIntervalMillis}.
 */
public final class FinishedJobPruner extends MaintenanceService {
  public static final String TASK = "gc";

  public FinishedJobPruner(Context context) {
    super(TASK, context);
  }

  @Override
  protected long maintain(Shard shard, QueueName queue) {
    long retention = context.queueConfig().get().forQueue(queue.value()).retention().toMillis();
    long finishedBefore = context.clock().millis() - retention;
    int batch = context.batchSize();
    long total = 0;
    for (JobState state : new JobState[] {JobState.SUCCEEDED, JobState.FAILED}) {
      int deleted;
      do {
        deleted = shard.backend().pruneFinished(queue, state, finishedBefore, batch);
        context.metrics().count(JobCounter.GC_DELETED, queue.value(), deleted);
        total += deleted;
      } while (deleted == batch && !stopped());
    }
    return total;
  }
}
