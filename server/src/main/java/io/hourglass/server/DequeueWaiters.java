package io.hourglass.server;

import com.twitter.util.Future;
import com.twitter.util.Promise;
import io.hourglass.server.queue.ClaimedJob;
import io.hourglass.server.queue.QueueName;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Long-poll dequeues (the {@code waitMillis} extension): a dequeue that finds nothing waits,
 * without holding a request thread, until work appears or its time is up. Work this server adds
 * to the queue wakes waiters at once ({@link #wake}); work added through other servers is found
 * by a re-check every {@code pollMillis}, which the empty-slot cache keeps cheap. Idle workers
 * therefore cost one statement per slot per cache period instead of a tight polling loop.
 */
final class DequeueWaiters implements Consumer<QueueName> {
  private final Clock clock;
  private final ExecutorService workers;
  private final ScheduledExecutorService timer;
  private final long pollMillis;
  private final ConcurrentHashMap<String, Set<Waiter>> byQueue = new ConcurrentHashMap<>();

  DequeueWaiters(Clock clock, ExecutorService workers, ScheduledExecutorService timer, long pollMillis) {
    this.clock = clock;
    this.workers = workers;
    this.timer = timer;
    this.pollMillis = pollMillis;
  }

  /**
   * Completes with the first non-empty result of {@code attempt}, or with an empty list once
   * {@code waitMillis} have passed. {@code attempt} runs on the worker pool, one at a time.
   */
  Future<List<ClaimedJob>> await(QueueName queue, long waitMillis, Supplier<List<ClaimedJob>> attempt) {
    Waiter w = new Waiter(queue, clock.millis() + waitMillis, attempt);
    byQueue.computeIfAbsent(queue.value(), k -> ConcurrentHashMap.newKeySet()).add(w);
    w.schedule(Math.min(pollMillis, waitMillis));
    return w.promise;
  }

  /** New work in {@code queue} (enqueue, retry, release): every waiter looks again now. */
  @Override
  public void accept(QueueName queue) {
    wake(queue);
  }

  void wake(QueueName queue) {
    Set<Waiter> waiters = byQueue.get(queue.value());
    if (waiters != null) {
      waiters.forEach(w -> w.schedule(0));
    }
  }

  /** Shutdown: every waiting dequeue answers now, empty, so the server can close at once. */
  void releaseAll() {
    byQueue.values().forEach(waiters -> List.copyOf(waiters).forEach(w -> w.finish(List.of(), null)));
  }

  /** Dequeues waiting right now (a gauge on /metrics). */
  int waiting() {
    return byQueue.values().stream().mapToInt(Set::size).sum();
  }

  private final class Waiter {
    final QueueName queue;
    final long deadline;
    final Supplier<List<ClaimedJob>> attempt;
    final Promise<List<ClaimedJob>> promise = new Promise<>();
    boolean done;

    Waiter(QueueName queue, long deadline, Supplier<List<ClaimedJob>> attempt) {
      this.queue = queue;
      this.deadline = deadline;
      this.attempt = attempt;
    }

    void schedule(long delayMillis) {
      try {
        timer.schedule(() -> runOn(), delayMillis, TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException e) {
        finish(List.of(), null); // shutting down
      }
    }

    private void runOn() {
      try {
        workers.execute(this::tryOnce);
      } catch (RejectedExecutionException e) {
        finish(List.of(), null);
      }
    }

    /** Synchronized: a wake-up and a poll never claim for the same waiter at once. */
    private synchronized void tryOnce() {
      if (done) {
        return;
      }
      List<ClaimedJob> jobs;
      try {
        jobs = attempt.get();
      } catch (RuntimeException e) {
        finish(null, e);
        return;
      }
      long left = deadline - clock.millis();
      if (!jobs.isEmpty() || left <= 0) {
        finish(jobs, null);
      } else {
        schedule(Math.min(pollMillis, left));
      }
    }

    private synchronized void finish(List<ClaimedJob> jobs, RuntimeException error) {
      if (done) {
        return;
      }
      done = true;
      Set<Waiter> waiters = byQueue.get(queue.value());
      if (waiters != null) {
        waiters.remove(this);
      }
      if (error != null) {
        promise.setException(error);
      } else {
        promise.setValue(jobs);
      }
    }
  }
}
