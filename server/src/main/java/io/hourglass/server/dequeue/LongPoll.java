package io.hourglass.server.dequeue;

import com.twitter.util.Function;
import com.twitter.util.Future;
import com.twitter.util.Promise;
import io.hourglass.server.queue.ClaimedJob;
import io.hourglass.server.queue.NewWork;
import io.hourglass.server.queue.QueueName;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.runtime.BoxedUnit;

/**
 * Long-poll dequeues (the {@code waitMillis} extension): a dequeue that found nothing waits,
 * without holding a request thread, until new work is signalled or its time is up.
 *
 * <p>How is this designed, and why?
 * <ul>
 *   <li>Waiters never poll. Work this server adds arrives as a {@link NewWork} signal that says
 *       how many jobs it may have made runnable; the signal wakes, oldest first, only as many
 *       waiters as those jobs can serve (until their limits add up to the jobs), and the rest
 *       sleep on.
 *   <li>Work added through other servers is found by one shared probe per queue that has
 *       waiters: every {@code pollMillis} it asks each shard, in one statement over all
 *       priorities, what is runnable ({@link Probe}), which turns into signals. So idle cost is one
 *       statement per (queue, shard) per poll however many waiters; with no waiter the probe stops.
 *       A queue that had no signal for a second is probed every {@code idlePollMillis} instead:
 *       work added elsewhere to a queue that was quiet is found a little later, and an idle
 *       queue's waiters cost less than half.
 *   <li>A queue's signals are counted. A dequeue reads the count before its first attempt and
 *       tries again at once if a signal came between that attempt and its registration; a waiter
 *       whose attempt overlapped a signal also tries again instead of sleeping.
 *   <li>A waiter whose client went away (Finagle interrupts the reply future when the connection
 *       closes) is dropped; if it was claiming at that moment, its jobs are released.
 * </ul>
 */
public final class LongPoll implements NewWork {
  private static final Logger LOG = LoggerFactory.getLogger(LongPoll.class);
  /** A queue without a signal for this long counts as idle, and its probe slows to idlePollMillis. */
  static final long QUIET_MILLIS = 1_000;

  /** Finds work added elsewhere and signals it (the coordinator's one-statement-per-shard probe). */
  @FunctionalInterface
  public interface Probe {
    void probe(QueueName queue, int demand);
  }

  /**
   * One waiting dequeue: its queue and limit, the signal count read before its first attempt,
   * the attempt itself (one claim within the rate limit), and how to release jobs it claimed for
   * a client that is gone.
   */
  public record Wait(QueueName queue, int limit, long waitMillis, long signalsSeen,
      Supplier<List<ClaimedJob>> attempt, Consumer<List<ClaimedJob>> release) {}

  private final Clock clock;
  private final Executor workers;
  private final ScheduledExecutorService timer;
  private final long pollMillis;
  private final long idlePollMillis;
  private volatile Probe probe = (q, d) -> { };
  private volatile boolean closed;
  private final ConcurrentHashMap<String, Queue> queues = new ConcurrentHashMap<>();

  /**
   * @param pollMillis     how often a queue's probe runs while the queue had a signal in the last second
   * @param idlePollMillis how often it runs once the queue had none for a second (at least pollMillis)
   */
  public LongPoll(Clock clock, Executor workers, ScheduledExecutorService timer, long pollMillis, long idlePollMillis) {
    if (idlePollMillis < pollMillis) {
      throw new IllegalArgumentException("idlePollMillis " + idlePollMillis + " < pollMillis " + pollMillis);
    }
    this.clock = clock;
    this.workers = workers;
    this.timer = timer;
    this.pollMillis = pollMillis;
    this.idlePollMillis = idlePollMillis;
  }

  /** Set once the coordinator exists (it needs this class as its signal, so it comes later). */
  public void probeWith(Probe probe) {
    this.probe = probe;
  }

  /** How many signals the queue has had; read before a dequeue's first attempt. */
  public long signals(QueueName queue) {
    Queue q = queue(queue);
    synchronized (q) {
      return q.signals;
    }
  }

  /** Completes with the first non-empty attempt, or empty after {@code waitMillis}. */
  public Future<List<ClaimedJob>> await(Wait wait) {
    Waiter w = new Waiter(wait, clock.millis() + wait.waitMillis());
    if (closed) {
      return Future.value(List.of());
    }
    w.promise.setInterruptHandler(Function.func(cause -> {
      w.cancel();
      return BoxedUnit.UNIT;
    }));
    Queue q = queue(wait.queue());
    boolean now;
    synchronized (q) {
      if (w.state == State.DONE) {
        return w.promise; // its client went away before it could register
      }
      now = q.signals != wait.signalsSeen();
      if (now) {
        w.trying(q.signals);
      } else {
        q.sleeping.addLast(w);
      }
      q.ensureProbe();
    }
    schedule(w::onDeadline, wait.waitMillis());
    if (now) {
      w.tryNow();
    }
    return w.promise;
  }

  /** New work: wakes the oldest waiters, as many as {@code jobs} can serve. */
  @Override
  public void added(QueueName queue, int jobs) {
    Queue q = queue(queue);
    List<Waiter> woken = new ArrayList<>();
    synchronized (q) {
      q.signals++;
      q.lastSignalMillis = clock.millis();
      int left = jobs;
      while (left > 0 && !q.sleeping.isEmpty()) {
        Waiter w = q.sleeping.pollFirst();
        w.trying(q.signals);
        left -= w.wait.limit();
        woken.add(w);
      }
    }
    woken.forEach(Waiter::tryNow);
  }

  /** Shutdown: every waiting dequeue answers now, empty, so the server can close at once. */
  public void releaseAll() {
    closed = true;
    for (Queue q : queues.values()) {
      List<Waiter> all;
      synchronized (q) {
        all = new ArrayList<>(q.sleeping);
        q.sleeping.clear();
      }
      all.forEach(w -> w.finish(List.of(), null));
    }
  }

  /** Dequeues sleeping right now (a gauge on /metrics). */
  public int waiting() {
    int n = 0;
    for (Queue q : queues.values()) {
      synchronized (q) {
        n += q.sleeping.size();
      }
    }
    return n;
  }

  private Queue queue(QueueName name) {
    return queues.computeIfAbsent(name.value(), k -> new Queue(name));
  }

  private boolean schedule(Runnable task, long delayMillis) {
    try {
      timer.schedule(task, Math.max(0, delayMillis), TimeUnit.MILLISECONDS);
      return true;
    } catch (RejectedExecutionException e) {
      return false; // shutting down: releaseAll answers the waiters
    }
  }

  /** The waiters of one queue, its signal count and its probe. Guarded by its own monitor. */
  private final class Queue {
    final QueueName name;
    final ArrayDeque<Waiter> sleeping = new ArrayDeque<>();
    long signals;
    /** When {@link #signals} last grew; the probe slows down a second after it. */
    long lastSignalMillis = Long.MIN_VALUE / 2;
    boolean probing;

    Queue(QueueName name) {
      this.name = name;
    }

    /** Called holding the monitor. */
    void ensureProbe() {
      if (!probing) {
        probing = schedule(this::probeSoon, nextProbeInMillis());
      }
    }

    private void probeSoon() {
      try {
        workers.execute(this::probeNow);
      } catch (RejectedExecutionException e) {
        synchronized (this) {
          probing = false;
        }
      }
    }

    private void probeNow() {
      int demand = 0;
      synchronized (this) {
        for (Waiter w : sleeping) {
          demand += w.wait.limit();
        }
        if (demand == 0 || closed) {
          probing = false; // nobody waits: the probe stops until the next waiter
          return;
        }
      }
      try {
        probe.probe(name, demand);
      } catch (RuntimeException e) {
        LOG.warn("long-poll probe of queue {} failed: {}", name, e.toString());
      }
      synchronized (this) {
        probing = schedule(this::probeSoon, nextProbeInMillis());
      }
    }

    /** Called holding the monitor: quick while work came in the last second, slow once it stopped. */
    private long nextProbeInMillis() {
      return clock.millis() - lastSignalMillis < QUIET_MILLIS ? pollMillis : idlePollMillis;
    }
  }

  private enum State { SLEEPING, TRYING, DONE }

  private final class Waiter {
    final Wait wait;
    final long deadline;
    final Promise<List<ClaimedJob>> promise = new Promise<>();
    /** Guarded by the queue's monitor. */
    State state = State.SLEEPING;
    long signalsAtAttempt;
    boolean cancelled;

    Waiter(Wait wait, long deadline) {
      this.wait = wait;
      this.deadline = deadline;
    }

    private Queue q() {
      return queue(wait.queue());
    }

    /** Called holding the queue's monitor. */
    void trying(long signals) {
      state = State.TRYING;
      signalsAtAttempt = signals;
    }

    void tryNow() {
      try {
        workers.execute(this::attempt);
      } catch (RejectedExecutionException e) {
        finish(List.of(), null);
      }
    }

    private void attempt() {
      List<ClaimedJob> jobs;
      try {
        jobs = wait.attempt().get();
      } catch (RuntimeException e) {
        finish(null, e);
        return;
      }
      Queue q = q();
      boolean again = false;
      boolean gone;
      synchronized (q) {
        gone = cancelled;
        if (!gone && jobs.isEmpty() && clock.millis() < deadline) {
          if (q.signals != signalsAtAttempt) {
            trying(q.signals); // work came while we looked: look again rather than sleep through it
            again = true;
          } else {
            state = State.SLEEPING;
            q.sleeping.addFirst(this); // it was the oldest: it stays first in line
            q.ensureProbe();
            return;
          }
        }
      }
      if (gone) {
        if (!jobs.isEmpty()) {
          LOG.info("client of a long-poll dequeue on {} went away; releasing its {} jobs", wait.queue(), jobs.size());
          wait.release().accept(jobs);
        }
        finish(null, new CancellationException("the client of this long-poll dequeue went away"));
        return;
      }
      if (again) {
        tryNow();
      } else {
        finish(jobs, null);
      }
    }

    void onDeadline() {
      Queue q = q();
      synchronized (q) {
        if (state != State.SLEEPING) {
          return; // an attempt in flight answers (it sees the deadline has passed)
        }
        q.sleeping.remove(this);
      }
      finish(List.of(), null);
    }

    /** The client went away: a sleeping waiter is dropped, a trying one releases what it gets. */
    void cancel() {
      Queue q = q();
      boolean drop;
      synchronized (q) {
        cancelled = true;
        drop = state == State.SLEEPING;
        if (drop) {
          q.sleeping.remove(this);
          state = State.DONE; // under the monitor: await, if it has not registered yet, won't
        }
      }
      if (drop) {
        promise.updateIfEmpty(new com.twitter.util.Throw<>(
            new CancellationException("the client of this long-poll dequeue went away")));
      }
    }

    void finish(List<ClaimedJob> jobs, RuntimeException error) {
      synchronized (q()) {
        if (state == State.DONE) {
          return;
        }
        state = State.DONE;
      }
      if (error != null) {
        promise.updateIfEmpty(new com.twitter.util.Throw<>(error));
      } else {
        promise.updateIfEmpty(new com.twitter.util.Return<>(jobs));
      }
    }
  }
}
