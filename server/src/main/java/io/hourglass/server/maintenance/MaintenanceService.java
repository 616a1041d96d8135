package io.hourglass.server.maintenance;

import io.hourglass.server.config.QueueConfig;
import io.hourglass.server.metrics.ServerMetrics;
import io.hourglass.server.queue.MaintenanceLease;
import io.hourglass.server.queue.QueueException;
import io.hourglass.server.queue.QueueName;
import io.hourglass.server.queue.Shard;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A background task run over every shard once per interval, by one server per shard.
 *
 * <p>How is this designed, and why? Every server schedules the task, but on each shard it first
 * takes that shard's lease ({@code GET_LOCK(…, 0)} on a connection of its own, see
 * {@link io.hourglass.server.queue.QueueBackend#tryLease}): a server that finds it held, or
 * finds that another server ran the task less than 90% of an interval ago, skips the shard. So
 * however many servers there are, each shard is maintained about once per interval, and a dead
 * server's share is picked up by the others one interval later. Work is done in bounded
 * batches, and {@link #stop()} is honoured between batches.
 */
public abstract class MaintenanceService implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MaintenanceService.class);

  /** What one cycle did on one shard. */
  public enum Outcome {
    /** This server held the lease and did the work. */
    RAN,
    /** A lock-free read found nothing to do ({@link #worthLeasing}): no lease taken. */
    NOTHING_DUE,
    HELD_ELSEWHERE,
    RAN_RECENTLY,
    SHARD_DOWN,
    FAILED
  }

  /** What a subclass needs; {@code queueConfig} is read each cycle, so a reload applies at once. */
  public record Context(
      Supplier<List<Shard>> shards, Supplier<QueueConfig> queueConfig, Clock clock, Duration interval,
      int batchSize, ServerMetrics metrics) {}

  /** The last cycle on one shard, as this server saw it; {@code jobs}: rows the work changed. */
  public record Cycle(long atMillis, Outcome outcome, long jobs, long tookMillis) {}

  private final String task;
  protected final Context context;
  private final Map<Integer, Cycle> lastCycles = new java.util.concurrent.ConcurrentHashMap<>();
  private ScheduledExecutorService scheduler;
  private volatile boolean stopped;

  protected MaintenanceService(String task, Context context) {
    this.task = task;
    this.context = context;
  }

  /** The work on one queue of a shard whose lease this server holds; returns the jobs it changed. */
  protected abstract long maintain(Shard shard, QueueName queue);

  public synchronized void start() {
    if (scheduler == null) {
      stopped = false;
      scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "maintenance-" + task);
        t.setDaemon(true);
        return t;
      });
      long every = context.interval().toMillis();
      scheduler.scheduleWithFixedDelay(this::runQuietly, every, every, TimeUnit.MILLISECONDS);
    }
  }

  public void stop() {
    stopped = true;
    synchronized (this) {
      if (scheduler != null) {
        scheduler.shutdownNow();
        scheduler = null;
      }
    }
  }

  @Override
  public void close() {
    stop();
  }

  protected boolean stopped() {
    return stopped || Thread.currentThread().isInterrupted();
  }

  private void runQuietly() {
    try {
      runOnce();
    } catch (RuntimeException e) {
      LOG.error("{}: maintenance cycle failed", task, e);
    }
  }

  /** One cycle over every shard now; returns what happened on each (by shard id). */
  public synchronized Map<Integer, Outcome> runOnce() {
    Map<Integer, Outcome> out = new LinkedHashMap<>();
    List<Shard> shards = context.shards().get();
    for (Shard shard : shards) {
      if (stopped()) {
        break;
      }
      long started = context.clock().millis();
      long[] jobs = {0};
      Outcome o = onShard(shard, jobs);
      out.put(shard.id(), o);
      lastCycles.put(shard.id(), new Cycle(started, o, jobs[0], context.clock().millis() - started));
      context.metrics().maintenanceCycle(task, o.name());
    }
    return out;
  }

  public String task() {
    return task;
  }

  /** The last cycle per shard id (what this server did, or found). */
  public Map<Integer, Cycle> lastCycles() {
    return Map.copyOf(lastCycles);
  }

  private Outcome onShard(Shard shard, long[] jobs) {
    if (!shard.isUp()) {
      return Outcome.SHARD_DOWN;
    }
    long now = context.clock().millis();
    long minInterval = context.interval().toMillis() * 9 / 10;
    try {
      if (!worthLeasing(shard)) {
        return Outcome.NOTHING_DUE;
      }
    } catch (QueueException e) {
      LOG.warn("{} on shard {} skipped this cycle: {}", task, shard.id(), e.getMessage());
      return e.kind() == QueueException.Kind.SHARD_CONNECTION_FAILED ? Outcome.SHARD_DOWN : Outcome.FAILED;
    }
    try (MaintenanceLease lease = shard.backend().tryLease(task, now, minInterval)) {
      if (!lease.acquired()) {
        return lease.outcome() == MaintenanceLease.Outcome.HELD_ELSEWHERE ? Outcome.HELD_ELSEWHERE : Outcome.RAN_RECENTLY;
      }
      for (String name : shard.backend().queueNames()) {
        if (stopped()) {
          break;
        }
        jobs[0] += maintainQuietly(shard, QueueName.of(name));
      }
      return Outcome.RAN;
    } catch (QueueException e) {
      LOG.warn("{} on shard {} skipped this cycle: {}", task, shard.id(), e.getMessage());
      return e.kind() == QueueException.Kind.SHARD_CONNECTION_FAILED ? Outcome.SHARD_DOWN : Outcome.FAILED;
    }
  }

  /**
   * Whether the cycle on {@code shard} may have work, found without a lease (a plain read): when
   * not, the cycle costs that read instead of the lease's four statements. Every cycle is worth
   * it unless a task says otherwise.
   */
  protected boolean worthLeasing(Shard shard) {
    return true;
  }

  private long maintainQuietly(Shard shard, QueueName queue) {
    try {
      return maintain(shard, queue);
    } catch (QueueException e) {
      if (e.kind() != QueueException.Kind.QUEUE_NOT_FOUND) { // deleted meanwhile: nothing to do
        throw e;
      }
      return 0;
    }
  }
}
