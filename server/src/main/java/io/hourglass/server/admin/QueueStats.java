package io.hourglass.server.admin;

import io.hourglass.server.queue.DashboardStore.CountRow;
import io.hourglass.server.queue.JobState;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One queue's background counts summed over shards: what the Queues table and the queue-depth
 * gauges show. Ages are relative to {@code nowMillis}; 0 when there is no such job.
 */
public record QueueStats(String queue, long pendingNow, long pendingFuture, long inProgress, long failed,
    long succeeded, long oldestRunnableAgeMillis, long oldestClaimAgeMillis, long countedAtMillis,
    Map<String, Long> byStatePriority) {

  /** Every queue in {@code queues}, in name order, from the rows of every shard. */
  public static Map<String, QueueStats> of(Iterable<String> queues, List<CountRow> rows, long nowMillis) {
    Map<String, Builder> b = new TreeMap<>();
    queues.forEach(q -> b.put(q, new Builder(q)));
    for (CountRow r : rows) {
      b.computeIfAbsent(r.queue(), Builder::new).add(r, nowMillis);
    }
    Map<String, QueueStats> out = new TreeMap<>();
    b.forEach((q, x) -> out.put(q, x.build()));
    return out;
  }

  /** Jobs in one state and priority (all shards); pending counts both now and future. */
  public long jobs(JobState state, int priority) {
    return byStatePriority.getOrDefault(key(state, priority), 0L);
  }

  static String key(JobState state, int priority) {
    return state.name() + ":" + priority;
  }

  private static final class Builder {
    final String queue;
    long pendingNow;
    long pendingFuture;
    long inProgress;
    long failed;
    long succeeded;
    long oldestRunnable;
    long oldestClaim;
    long countedAt = Long.MAX_VALUE;
    final Map<String, Long> byStatePriority = new TreeMap<>();

    Builder(String queue) {
      this.queue = queue;
    }

    void add(CountRow r, long now) {
      byStatePriority.merge(key(r.state(), r.priority()), r.jobs(), Long::sum);
      countedAt = Math.min(countedAt, r.countedAtMillis());
      switch (r.state()) {
        case PENDING -> {
          pendingNow += r.jobs() - r.futureJobs();
          pendingFuture += r.futureJobs();
          if (r.oldestRunAfterMillis() != null && r.oldestRunAfterMillis() <= r.countedAtMillis()) {
            oldestRunnable = Math.max(oldestRunnable, now - r.oldestRunAfterMillis());
          }
        }
        case IN_PROGRESS -> {
          inProgress += r.jobs();
          if (r.oldestClaimMillis() != null) {
            oldestClaim = Math.max(oldestClaim, now - r.oldestClaimMillis());
          }
        }
        case FAILED -> failed += r.jobs();
        case SUCCEEDED -> succeeded += r.jobs();
        default -> { }
      }
    }

    QueueStats build() {
      return new QueueStats(queue, pendingNow, pendingFuture, inProgress, failed, succeeded, oldestRunnable,
          oldestClaim, countedAt == Long.MAX_VALUE ? 0 : countedAt, Map.copyOf(byStatePriority));
    }
  }
}
