package io.hourglass.server.health;

import io.hourglass.server.queue.QueueException;
import io.hourglass.server.queue.Shard;
import io.hourglass.server.queue.ShardHealth;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Probes every shard each {@code health.probeIntervalMillis}: {@code SELECT 1} on a connection
 * of its own, with {@code health.probeTimeoutMillis} to connect and to answer. A failed probe
 * takes the shard out of rotation; a good one puts it back, after giving it any queue it lacks.
 * For a shard that is down, "good" also means that its request pool hands out a connection
 * (see {@code mysql.ShardOps#probe}): a restarted shard rejoins once, not in and out until its
 * pool has reconnected.
 * Shards are probed in parallel, and a shard whose last probe still hangs is not probed again,
 * so one hung shard delays nobody else's verdict.
 */
public final class ShardProber implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ShardProber.class);

  private final Supplier<List<Shard>> shards;
  private final Duration interval;
  private final Duration timeout;
  private final Set<ShardHealth> probing = ConcurrentHashMap.newKeySet();
  private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(daemon("shard-prober"));
  private final ExecutorService probes = Executors.newCachedThreadPool(daemon("shard-probe"));

  public ShardProber(Supplier<List<Shard>> shards, Duration interval, Duration timeout) {
    this.shards = shards;
    this.interval = interval;
    this.timeout = timeout;
  }

  public void start() {
    ticker.scheduleWithFixedDelay(this::probeAll, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Starts a probe of every shard whose previous probe has finished. */
  public void probeAll() {
    List<Shard> all = shards.get();
    for (Shard shard : all) {
      if (probing.add(shard.health())) {
        try {
          probes.execute(() -> {
            try {
              probe(shard);
            } finally {
              probing.remove(shard.health());
            }
          });
        } catch (java.util.concurrent.RejectedExecutionException e) {
          probing.remove(shard.health()); // shutting down
        }
      }
    }
  }

  /** Probes one shard now, on the calling thread, and updates its health. */
  public void probe(Shard shard) {
    try {
      shard.backend().probe(timeout);
    } catch (QueueException e) {
      shard.health().recordError();
      shard.health().markDown(e.getMessage());
      return;
    } catch (RuntimeException e) {
      LOG.warn("probing shard {} failed unexpectedly", shard.id(), e);
      shard.health().markDown(e.toString());
      return;
    }
    shard.health().markUp();
    if (!shard.health().queuesSynced()) {
      try {
        QueueSync.sync(shard, shards.get());
      } catch (QueueException e) {
        LOG.warn("shard {} answers but its queues could not be synced yet; no enqueues go to it: {}",
            shard.id(), e.getMessage());
      }
    }
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }

  @Override
  public void close() {
    ticker.shutdownNow();
    probes.shutdownNow();
  }
}
