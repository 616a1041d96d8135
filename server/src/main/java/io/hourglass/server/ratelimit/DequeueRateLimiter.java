package io.hourglass.server.ratelimit;

import io.hourglass.server.config.QueueConfig;
import io.hourglass.server.queue.QueueException;
import io.hourglass.server.queue.QueueName;
import java.time.Clock;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * Per-queue dequeue rate limit, in jobs per second over all servers: a token bucket per queue
 * refilled at {@code dequeueRateLimit / live servers}, holding at most one second of that (and at
 * least one job). A dequeue takes up to its limit in tokens and gives back what it did not
 * claim; with no token it fails with DEQUEUE_RATE_LIMITED, as does every dequeue of a queue
 * whose limit is 0 (paused).
 *
 * <p>How is this designed, and why? Sharing the limit through a counter in the database would
 * cost a statement per dequeue; splitting it evenly among the servers costs a heartbeat every
 * few seconds. The split is exact when dequeuers spread over the servers evenly (a load
 * balancer does that), and errs low, never high, when they do not. Time is the injectable clock.
 */
public final class DequeueRateLimiter {
  private final Clock clock;
  private final Supplier<QueueConfig> config;
  private final IntSupplier liveServers;
  private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

  public DequeueRateLimiter(Clock clock, Supplier<QueueConfig> config, IntSupplier liveServers) {
    this.clock = clock;
    this.config = config;
    this.liveServers = liveServers;
  }

  /** No limits at all (a server without a queue-config file). */
  public static DequeueRateLimiter unlimited() {
    return new DequeueRateLimiter(Clock.systemUTC(), () -> null, () -> 1);
  }

  /**
   * How many of {@code wanted} jobs this dequeue may claim (at least 1), or DEQUEUE_RATE_LIMITED.
   * Give back what was not claimed with {@link #giveBack}.
   */
  public int acquire(QueueName queue, int wanted) {
    Double rate = rateOf(queue);
    if (rate == null) {
      return wanted;
    }
    if (rate <= 0) {
      throw new QueueException(QueueException.Kind.DEQUEUE_RATE_LIMITED,
          "queue '" + queue + "' is paused (by an operator, or dequeueRateLimit 0 in the queue config)");
    }
    double perServer = rate / Math.max(1, liveServers.getAsInt());
    int granted = buckets.computeIfAbsent(queue.value(), q -> new Bucket(clock.millis()))
        .take(perServer, wanted, clock.millis());
    if (granted == 0) {
      throw new QueueException(QueueException.Kind.DEQUEUE_RATE_LIMITED, "queue '" + queue
          + "' is limited to " + rate + " dequeued jobs/s over all servers; retry later");
    }
    return granted;
  }

  /** Returns tokens a dequeue took but did not use (it found fewer jobs). */
  public void giveBack(QueueName queue, int unused) {
    Double rate = rateOf(queue);
    Bucket b = buckets.get(queue.value());
    if (unused > 0 && rate != null && rate > 0 && b != null) {
      b.giveBack(rate / Math.max(1, liveServers.getAsInt()), unused);
    }
  }

  private Double rateOf(QueueName queue) {
    QueueConfig c = config.get();
    return c == null ? null : c.forQueue(queue.value()).dequeueRateLimit();
  }

  private static final class Bucket {
    private double tokens = Double.NaN; // full on first use
    private long lastMillis;

    Bucket(long nowMillis) {
      lastMillis = nowMillis;
    }

    synchronized int take(double ratePerSecond, int wanted, long nowMillis) {
      double capacity = Math.max(1.0, ratePerSecond);
      if (Double.isNaN(tokens)) {
        tokens = capacity;
      } else {
        tokens = Math.min(capacity, tokens + Math.max(0, nowMillis - lastMillis) * ratePerSecond / 1000.0);
      }
      lastMillis = nowMillis;
      int granted = (int) Math.min(wanted, Math.floor(tokens));
      tokens -= granted;
      return granted;
    }

    synchronized void giveBack(double ratePerSecond, int unused) {
      tokens = Math.min(Math.max(1.0, ratePerSecond), tokens + unused);
    }
  }
}
