package io.hourglass.server.admin;

import io.hourglass.server.config.QueueConfig;
import io.hourglass.server.config.QueueSettings;
import io.hourglass.server.queue.DashboardStore.Pause;
import io.hourglass.server.queue.QueueException;
import io.hourglass.server.queue.QueueName;
import io.hourglass.server.queue.Shard;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Queues paused by an operator, cluster-wide and persistent: a pause or resume is written to
 * every shard that answers (hourglass_queue_pauses), and every server reads them back each
 * {@code config.pollMillis}; per queue the latest change over all shards wins, so a shard that
 * missed a resume while down cannot pause the queue again. A paused queue is served as if its
 * queue config said {@code dequeueRateLimit 0}: dequeues fail with DEQUEUE_RATE_LIMITED after
 * their piggy-backed acks are applied; acks, enqueues and everything else go on.
 */
public final class QueuePauses implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(QueuePauses.class);

  private record Overlay(QueueConfig base, Set<String> paused, QueueConfig result) {}

  private final Supplier<List<Shard>> shards;
  private final Clock clock;
  private final Duration poll;
  private volatile Map<String, Pause> latest = Map.of();
  /** The paused queues of {@link #latest}: computed once per refresh, read by every dequeue. */
  private volatile Set<String> paused = Set.of();
  private volatile Overlay overlay;
  private ScheduledExecutorService poller;

  public QueuePauses(Supplier<List<Shard>> shards, Clock clock, Duration poll) {
    this.shards = shards;
    this.clock = clock;
    this.poll = poll;
  }

  public synchronized void start() {
    refresh();
    poller = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "queue-pauses");
      t.setDaemon(true);
      return t;
    });
    poller.scheduleWithFixedDelay(this::refreshQuietly, poll.toMillis(), poll.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void refreshQuietly() {
    try {
      refresh();
    } catch (RuntimeException e) {
      LOG.warn("reading queue pauses failed: {}", e.toString());
    }
  }

  /** Reads every shard's pauses now. */
  public void refresh() {
    Map<String, Pause> next = new HashMap<>();
    boolean anyAnswered = false;
    for (Shard s : shards.get()) {
      if (!s.isUp()) {
        continue;
      }
      try {
        for (Pause p : s.backend().dashboard().pauses()) {
          next.merge(p.queue(), p, (a, b) -> a.changedAtMillis() >= b.changedAtMillis() ? a : b);
        }
        anyAnswered = true;
      } catch (QueueException | UnsupportedOperationException e) {
        LOG.debug("shard {}: pauses not read: {}", s.id(), e.toString());
      }
    }
    if (anyAnswered) {
      latest = Map.copyOf(next);
      Set<String> now = new TreeSet<>();
      next.forEach((q, p) -> {
        if (p.paused()) {
          now.add(q);
        }
      });
      paused = java.util.Collections.unmodifiableSet(now);
    }
  }

  /** Pauses or resumes the queue on every shard that answers; fails when none did. */
  public void set(QueueName queue, boolean paused, String by) {
    long now = clock.millis();
    int stored = 0;
    QueueException failure = null;
    for (Shard s : shards.get()) {
      try {
        s.backend().dashboard().storePause(queue, paused, now, by);
        stored++;
      } catch (QueueException e) {
        failure = e;
        LOG.warn("shard {}: {} of '{}' not stored: {}", s.id(), paused ? "pause" : "resume", queue, e.getMessage());
      }
    }
    if (stored == 0 && failure != null) {
      throw failure;
    }
    refresh();
  }

  public Set<String> paused() {
    return paused;
  }

  public Pause latest(String queue) {
    return latest.get(queue);
  }

  /** {@code base} with every paused queue's dequeue rate limit at 0 (the same object while nothing changed). */
  public QueueConfig apply(QueueConfig base) {
    Set<String> paused = paused();
    Overlay o = overlay;
    if (o != null && o.base() == base && o.paused() == paused) {
      return o.result();
    }
    QueueConfig result = base;
    if (!paused.isEmpty()) {
      Map<String, QueueSettings> queues = new HashMap<>(base.queues());
      for (String q : paused) {
        QueueSettings s = base.forQueue(q);
        queues.put(q, new QueueSettings(0.0, s.claimTimeout(), s.retention()));
      }
      result = new QueueConfig(queues, base.defaults());
    }
    overlay = new Overlay(base, paused, result);
    return result;
  }

  @Override
  public synchronized void close() {
    if (poller != null) {
      poller.shutdownNow();
    }
  }
}
