package io.hourglass.server.ratelimit;

import io.hourglass.server.queue.QueueException;
import io.hourglass.server.queue.Shard;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How many servers share the shards, for splitting per-queue dequeue rate limits. Every
 * {@code cluster.heartbeatMillis} each server writes a heartbeat row into {@code hourglass_servers}
 * on the healthy shard with the lowest id and counts the rows seen within three intervals.
 * When that fails, the last count stands (at least 1: this server).
 */
public final class LiveServers implements IntSupplier, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LiveServers.class);
  private static final int INTERVALS_TO_STAY_LIVE = 3;

  private final Supplier<List<Shard>> shards;
  private final Clock clock;
  private final Duration interval;
  private final String serverId;
  private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "heartbeat");
    t.setDaemon(true);
    return t;
  });
  private volatile int live = 1;
  private volatile Shard lastShard;

  public LiveServers(Supplier<List<Shard>> shards, Clock clock, Duration interval, String serverId) {
    this.shards = shards;
    this.clock = clock;
    this.interval = interval;
    this.serverId = serverId;
  }

  /** Beats once now (so the count is right from the first request), then every interval. */
  public void start() {
    beat();
    ticker.scheduleWithFixedDelay(this::beat, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** One heartbeat; returns the live count now known. */
  public int beat() {
    Optional<Shard> home = home();
    if (home.isEmpty()) {
      return live;
    }
    long now = clock.millis();
    try {
      live = Math.max(1, home.get().backend().heartbeat(serverId, now, now - INTERVALS_TO_STAY_LIVE * interval.toMillis()));
      lastShard = home.get();
    } catch (QueueException e) {
      LOG.debug("heartbeat on shard {} failed, keeping {} live servers: {}", home.get().id(), live, e.getMessage());
    } catch (RuntimeException e) {
      LOG.warn("heartbeat failed, keeping {} live servers", live, e);
    }
    return live;
  }

  private Optional<Shard> home() {
    return shards.get().stream().filter(Shard::isUp).min(Comparator.comparingInt(Shard::id));
  }

  /** Servers (this one included) that beat within the last three intervals. */
  @Override
  public int getAsInt() {
    return live;
  }

  public String serverId() {
    return serverId;
  }

  @Override
  public void close() {
    ticker.shutdownNow();
    Shard s = lastShard;
    if (s != null) {
      try {
        s.backend().leaveHeartbeat(serverId);
      } catch (RuntimeException e) {
        LOG.debug("could not remove this server's heartbeat: {}", e.getMessage());
      }
    }
  }
}
