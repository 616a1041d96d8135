package io.hourglass.server.queue;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether one shard answers, as this server sees it, and whether it has every queue yet.
 *
 * <p>How is this designed, and why? A request that cannot reach a shard marks it down at once,
 * and the prober ({@code health.ShardProber}) marks it up when a probe answers again. While it is
 * down the shard is out of enqueue and dequeue rotation and its backend fails fast, so a dead
 * shard costs requests nothing instead of {@code pool.connectTimeoutMillis} each. A shard that
 * (re)joins may lack queues created while it was away: it takes enqueues only once the prober or
 * the shard registry has created them on it ({@link #queuesSynced()}).
 */
public final class ShardHealth {
  private static final Logger LOG = LoggerFactory.getLogger(ShardHealth.class);

  private final int shardId;
  private volatile boolean up = true;
  private volatile boolean queuesSynced;
  private volatile String downReason = "";
  private volatile long changedAtNanos = System.nanoTime();
  private final LongAdder errors = new LongAdder();
  private final AtomicLong downs = new AtomicLong();

  public ShardHealth(int shardId, boolean queuesSynced) {
    this.shardId = shardId;
    this.queuesSynced = queuesSynced;
  }

  public int shardId() {
    return shardId;
  }

  public boolean isUp() {
    return up;
  }

  /** Up, and has every queue: may take enqueues (unless draining). */
  public boolean readyForEnqueues() {
    return up && queuesSynced;
  }

  public boolean queuesSynced() {
    return queuesSynced;
  }

  public void markQueuesSynced() {
    queuesSynced = true;
  }

  /** Takes the shard out of rotation; returns whether it was up. */
  public synchronized boolean markDown(String reason) {
    // Driver messages run over several lines; the first says what happened.
    int eol = reason.indexOf('\n');
    downReason = eol < 0 ? reason : reason.substring(0, eol).trim();
    // Queues created while it is away would be missing on it: resync before it takes enqueues.
    queuesSynced = false;
    if (!up) {
      return false;
    }
    up = false;
    downs.incrementAndGet();
    changedAtNanos = System.nanoTime();
    LOG.warn("shard {} is down, out of rotation until it answers again: {}", shardId, downReason);
    return true;
  }

  /** Puts the shard back in rotation; returns whether it was down. */
  public synchronized boolean markUp() {
    if (up) {
      return false;
    }
    long downMillis = (System.nanoTime() - changedAtNanos) / 1_000_000;
    up = true;
    downReason = "";
    changedAtNanos = System.nanoTime();
    LOG.info("shard {} answers again after {} ms down; back in rotation", shardId, downMillis);
    return true;
  }

  /** Why it is down ("" when up). */
  public String downReason() {
    return downReason;
  }

  /** Milliseconds since the last change between up and down (or since this object was made). */
  public long millisInState() {
    return (System.nanoTime() - changedAtNanos) / 1_000_000;
  }

  /** Counts a failed statement (anything but a client error such as a missing queue). */
  public void recordError() {
    errors.increment();
  }

  public long errors() {
    return errors.sum();
  }

  /** How often the shard went from up to down. */
  public long downs() {
    return downs.get();
  }
}
