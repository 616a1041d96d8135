package io.hourglass.server.mysql;

import io.hourglass.server.queue.JobDescriptor;
import io.hourglass.server.queue.NewJob;
import io.hourglass.server.queue.QueueName;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Concurrent enqueues of one queue on one shard become one multi-row INSERT ("group commit"):
 * one statement and one fsync for all of them.
 *
 * <p>How is this designed, and why? No timer and no added wait: the first enqueue of a queue
 * leads and runs its INSERT at once; enqueues that arrive while it runs line up, and the next
 * leader (the leader itself while its own request is still waiting, else the oldest waiter)
 * stores everything lined up in one statement. So a lone enqueue costs what it did, and under
 * concurrency the statements per job fall with the number of concurrent callers. Each request's
 * jobs stay in one statement, so they are stored atomically; when the statement fails, every
 * request in it fails and none of their jobs is stored. A request hears back only after the
 * statement that stored its jobs has committed (autocommit).
 */
final class EnqueueCoalescer {
  /** One multi-row INSERT in autocommit; descriptors in the order of {@code jobs}. */
  interface Insert {
    List<JobDescriptor> insert(QueueName queue, List<NewJob> jobs);
  }

  private static final class Pending {
    final List<NewJob> jobs;
    final long bodyBytes;
    List<JobDescriptor> stored;
    RuntimeException error;
    boolean done;

    Pending(List<NewJob> jobs, long bodyBytes) {
      this.jobs = jobs;
      this.bodyBytes = bodyBytes;
    }
  }

  /** The requests of one queue waiting for a statement; guarded by its own monitor. */
  private static final class Lane {
    final ArrayDeque<Pending> waiting = new ArrayDeque<>();
    boolean leading;
  }

  private final Insert insert;
  private final int maxJobs;
  private final long maxBodyBytes;
  private final ConcurrentHashMap<String, Lane> lanes = new ConcurrentHashMap<>();

  /** A statement takes requests until it holds {@code maxJobs} jobs or {@code maxBodyBytes}. */
  EnqueueCoalescer(Insert insert, int maxJobs, long maxBodyBytes) {
    this.insert = insert;
    this.maxJobs = maxJobs;
    this.maxBodyBytes = maxBodyBytes;
  }

  List<JobDescriptor> enqueue(QueueName queue, List<NewJob> jobs, long bodyBytes) {
    Lane lane = lanes.computeIfAbsent(queue.value(), k -> new Lane());
    Pending me = new Pending(jobs, bodyBytes);
    synchronized (lane) {
      lane.waiting.addLast(me);
      boolean interrupted = false;
      while (lane.leading && !me.done) {
        try {
          lane.wait();
        } catch (InterruptedException e) {
          interrupted = true; // our jobs may be in a statement already: wait for its outcome
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
      if (me.done) {
        return result(me);
      }
      lane.leading = true;
    }
    try {
      while (!me.done) {
        List<Pending> group = new ArrayList<>();
        synchronized (lane) {
          int n = 0;
          long bytes = 0;
          while (!lane.waiting.isEmpty()) {
            Pending next = lane.waiting.peekFirst();
            if (!group.isEmpty() && (n + next.jobs.size() > maxJobs || bytes + next.bodyBytes > maxBodyBytes)) {
              break;
            }
            group.add(lane.waiting.pollFirst());
            n += next.jobs.size();
            bytes += next.bodyBytes;
          }
        }
        store(queue, group);
        synchronized (lane) {
          lane.notifyAll();
        }
      }
    } finally {
      synchronized (lane) {
        lane.leading = false;
        lane.notifyAll(); // the oldest waiter, if any, leads next
      }
    }
    return result(me);
  }

  private void store(QueueName queue, List<Pending> group) {
    List<NewJob> all = new ArrayList<>();
    group.forEach(p -> all.addAll(p.jobs));
    List<JobDescriptor> stored = null;
    RuntimeException error = null;
    try {
      stored = insert.insert(queue, all);
    } catch (RuntimeException e) {
      error = e;
    }
    int at = 0;
    for (Pending p : group) {
      if (error == null) {
        p.stored = List.copyOf(stored.subList(at, at + p.jobs.size()));
        at += p.jobs.size();
      } else {
        p.error = error;
      }
      p.done = true; // published to waiters by the notifyAll under the lane's monitor
    }
  }

  private static List<JobDescriptor> result(Pending p) {
    if (p.error != null) {
      throw p.error;
    }
    return p.stored;
  }
}
