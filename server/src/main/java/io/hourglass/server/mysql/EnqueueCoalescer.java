package io.hourglass.server.mysql;

import io.hourglass.server.queue.NewJob;
import io.hourglass.server.queue.QueueName;
import java.util.ArrayList;
import java.util.List;

/**
 * Concurrent enqueues of one queue on one shard become one multi-row INSERT ("group commit"):
 * one statement and one fsync for all of them (see {@link Coalescer}); or, for jobs with unique
 * keys or expiries, one transaction. Each request's jobs stay in one statement (one
 * transaction), so they are stored atomically; when it fails, every request in it fails and none
 * of their jobs is stored. A request hears back only after what stored its jobs has committed.
 *
 * @param <T> what one job gets back
 */
final class EnqueueCoalescer<T> {
  /** Stores the jobs atomically; one result per job, in the order of {@code jobs}. */
  interface Insert<T> {
    List<T> insert(QueueName queue, List<NewJob> jobs);
  }

  private record Request(List<NewJob> jobs, long bodyBytes) {}

  private final Insert<T> insert;
  private final Coalescer<Request, List<T>> coalescer;

  /** A batch takes requests until it holds {@code maxJobs} jobs or {@code maxBodyBytes}. */
  EnqueueCoalescer(Insert<T> insert, int maxJobs, long maxBodyBytes) {
    this.insert = insert;
    this.coalescer = new Coalescer<>((group, next) ->
        group.stream().mapToInt(r -> r.jobs().size()).sum() + next.jobs().size() <= maxJobs
            && group.stream().mapToLong(Request::bodyBytes).sum() + next.bodyBytes() <= maxBodyBytes);
  }

  List<T> enqueue(QueueName queue, List<NewJob> jobs, long bodyBytes) {
    return coalescer.submit(queue.value(), new Request(jobs, bodyBytes), group -> {
      List<NewJob> all = new ArrayList<>();
      group.forEach(r -> all.addAll(r.jobs()));
      List<T> stored = insert.insert(queue, all);
      List<List<T>> out = new ArrayList<>(group.size());
      int at = 0;
      for (Request r : group) {
        out.add(List.copyOf(stored.subList(at, at + r.jobs().size())));
        at += r.jobs().size();
      }
      return out;
    });
  }
}
