package io.hourglass.server.queue;

import io.hourglass.server.queue.QueueException.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Operator work over every shard: exact counts, paged scans, retrying failed jobs, deleting
 * jobs. Unlike the hot path, these fail when any shard that has the queue cannot answer: a
 * count or a scan page that silently missed a shard would be wrong, not degraded.
 */
public final class QueueAdmin {
  private final Supplier<List<Shard>> shards;

  public QueueAdmin(Supplier<List<Shard>> shards) {
    this.shards = shards;
  }

  /** Exact count over all shards. */
  public long count(JobFilter filter) {
    long total = 0;
    for (Long n : onEveryShard(filter.queue(), b -> b.count(filter))) {
      total += n;
    }
    return total;
  }

  /** One page of a scan and where the next starts ({@code next} null: this was the last). */
  public record ScanPage(List<JobInfo> jobs, ScanCursor next) {}

  /**
   * Asks every shard for {@code limit + 1} jobs after the cursor and merges them in scan order:
   * the first {@code limit} are the page, and any extra one proves there is a next page. Every
   * matching job is visited exactly once over the pages, whatever the shard count.
   */
  public ScanPage scan(JobFilter filter, ScanCursor after, int limit) {
    List<JobInfo> merged = new ArrayList<>();
    for (List<JobInfo> page : onEveryShard(filter.queue(), b -> b.scan(filter, after, limit + 1))) {
      merged.addAll(page);
    }
    merged.sort(ScanCursor::compare);
    if (merged.size() <= limit) {
      return new ScanPage(merged, null);
    }
    List<JobInfo> page = List.copyOf(merged.subList(0, limit));
    return new ScanPage(page, ScanCursor.after(page.get(limit - 1)));
  }

  /** Retries up to {@code request.limit()} FAILED jobs, shard by shard. */
  public int retryFailed(RetryFailedRequest request) {
    return untilLimit(request.queue(), request.limit(),
        (b, remaining) -> b.retryFailed(new RetryFailedRequest(
            request.queue(), request.priority(), request.attemptsToAllow(), request.runAfterMillis(), remaining)));
  }

  /** Deletes up to {@code limit} matching jobs, shard by shard. */
  public int deleteJobs(JobFilter filter, int limit) {
    return untilLimit(filter.queue(), limit, (b, remaining) -> b.deleteJobs(filter, remaining));
  }

  @FunctionalInterface
  private interface LimitedOp {
    int apply(QueueBackend backend, int remaining);
  }

  private int untilLimit(QueueName queue, int limit, LimitedOp op) {
    int[] done = {0};
    onEveryShard(queue, b -> {
      if (done[0] < limit) {
        done[0] += op.apply(b, limit - done[0]);
      }
      return null;
    });
    return done[0];
  }

  /**
   * Runs {@code op} on every shard in id order. A shard without the queue contributes nothing;
   * if no shard has it, the queue does not exist.
   */
  private <T> List<T> onEveryShard(QueueName queue, java.util.function.Function<QueueBackend, T> op) {
    List<T> out = new ArrayList<>();
    List<Shard> all = new ArrayList<>(shards.get());
    all.sort((a, b) -> Integer.compare(a.id(), b.id()));
    int missing = 0;
    for (Shard shard : all) {
      try {
        T result = op.apply(shard.backend());
        if (result != null) {
          out.add(result);
        }
      } catch (QueueException e) {
        if (e.kind() != Kind.QUEUE_NOT_FOUND) {
          throw e;
        }
        missing++;
      }
    }
    if (missing == all.size()) {
      throw new QueueException(Kind.QUEUE_NOT_FOUND, "queueName: queue '" + queue + "' does not exist");
    }
    return out;
  }
}
