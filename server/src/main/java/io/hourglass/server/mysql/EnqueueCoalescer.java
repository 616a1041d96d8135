package io.hourglass.server.mysql;

import io.hourglass.server.queue.JobDescriptor;
import io.hourglass.server.queue.NewJob;
import io.hourglass.server.queue.QueueName;
import java.util.ArrayList;
import java.util.List;

/**
 * Concurrent enqueues of one queue on one shard become one multi-row INSERT ("group commit"):
 * one statement and one fsync for all of them (see {@link Coalescer}). Each request's jobs stay
 * in one statement, so they are stored atomically; when the statement fails, every request in
 * it fails and none of their jobs is stored. A request hears back only after the statement that
 * stored its jobs has committed (autocommit).
 */
final class EnqueueCoalescer {
  /** One multi-row INSERT in autocommit; descriptors in the order of {@code jobs}. */
  interface Insert {
    List<JobDescriptor> insert(QueueName queue, List<NewJob> jobs);
  }

  private record Request(List<NewJob> jobs, long bodyBytes) {}

  private final Insert insert;
  private final Coalescer<Request, List<JobDescriptor>> coalescer;

  /** A statement takes requests until it holds {@code maxJobs} jobs or {@code maxBodyBytes}. */
  EnqueueCoalescer(Insert insert, int maxJobs, long maxBodyBytes) {
    this.insert = insert;
    this.coalescer = new Coalescer<>((group, next) ->
        group.stream().mapToInt(r -> r.jobs().size()).sum() + next.jobs().size() <= maxJobs
            && group.stream().mapToLong(Request::bodyBytes).sum() + next.bodyBytes() <= maxBodyBytes);
  }

  List<JobDescriptor> enqueue(QueueName queue, List<NewJob> jobs, long bodyBytes) {
    return coalescer.submit(queue.value(), new Request(jobs, bodyBytes), group -> {
      List<NewJob> all = new ArrayList<>();
      group.forEach(r -> all.addAll(r.jobs()));
      List<JobDescriptor> stored = insert.insert(queue, all);
      List<List<JobDescriptor>> out = new ArrayList<>(group.size());
      int at = 0;
      for (Request r : group) {
        out.add(List.copyOf(stored.subList(at, at + r.jobs().size())));
        at += r.jobs().size();
      }
      return out;
    });
  }
}
