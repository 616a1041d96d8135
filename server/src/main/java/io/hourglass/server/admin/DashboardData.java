package io.hourglass.server.admin;

import io.hourglass.server.metrics.JobTotals;
import io.hourglass.server.metrics.ServerMetrics;
import io.hourglass.server.queue.DashboardStore.CountRow;
import io.hourglass.server.queue.DashboardStore.MaintenanceRun;
import io.hourglass.server.queue.DashboardStore.ServerBeat;
import io.hourglass.server.queue.JobFilter;
import io.hourglass.server.queue.JobInfo;
import io.hourglass.server.queue.JobState;
import io.hourglass.server.queue.QueueName;
import io.hourglass.server.queue.ScanCursor;
import io.hourglass.server.queue.Shard;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the dashboard pages show, read in the background: every {@code admin.countsRefreshMillis}
 * this server reads each shard's stored counts, maintenance record, queue list and server
 * heartbeats (a handful of small-table SELECTs per shard), and keeps the result as one immutable
 * {@link Snapshot}. Page views read the snapshot only, so their cost is independent of the data
 * and runs no SQL. The counts themselves are made by {@link io.hourglass.server.maintenance.QueueCounter}.
 */
public final class DashboardData implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DashboardData.class);

  /**
   * @param queues every queue name any answering shard lists
   * @param shardErrors shard id → why it could not be read in this refresh
   */
  public record Snapshot(long takenAtMillis, Set<String> queues, Map<String, QueueStats> stats,
      List<CountRow> counts, List<MaintenanceRun> runs, List<ServerBeat> servers, Map<Integer, String> shardErrors,
      Map<String, List<JobInfo>> latestFailed) {
    static Snapshot empty() {
      return new Snapshot(0, Set.of(), Map.of(), List.of(), List.of(), List.of(), Map.of(), Map.of());
    }
  }

  /** Latest FAILED jobs read per queue and priority (for the queue page's failure groups). */
  public static final int LATEST_FAILED = 20;

  private final Supplier<List<Shard>> shards;
  private final Clock clock;
  private final Duration every;
  private final ServerMetrics metrics;
  private final QueuePauses pauses;
  private final int priorityLevels;
  private volatile Snapshot snapshot = Snapshot.empty();
  private ScheduledExecutorService scheduler;

  public DashboardData(Supplier<List<Shard>> shards, Clock clock, Duration every, ServerMetrics metrics,
      QueuePauses pauses, int priorityLevels) {
    this.priorityLevels = priorityLevels;
    this.shards = shards;
    this.clock = clock;
    this.every = every;
    this.metrics = metrics;
    this.pauses = pauses;
  }

  public synchronized void start() {
    scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "dashboard-data");
      t.setDaemon(true);
      return t;
    });
    scheduler.scheduleWithFixedDelay(this::refreshQuietly, 0, every.toMillis(), TimeUnit.MILLISECONDS);
    long sample = JobTotals.SAMPLE_EVERY.toMillis();
    scheduler.scheduleAtFixedRate(() -> metrics.totals().sample(clock.millis()), 0, sample, TimeUnit.MILLISECONDS);
  }

  public Snapshot snapshot() {
    return snapshot;
  }

  private void refreshQuietly() {
    try {
      refresh();
    } catch (RuntimeException e) {
      LOG.warn("dashboard refresh failed: {}", e.toString());
    }
  }

  /** Reads every shard now (tests call it after a count cycle). */
  public synchronized Snapshot refresh() {
    List<CountRow> counts = new ArrayList<>();
    List<MaintenanceRun> runs = new ArrayList<>();
    Map<String, ServerBeat> servers = new TreeMap<>();
    Set<String> queues = new TreeSet<>();
    Map<Integer, String> errors = new TreeMap<>();
    boolean anyAnswered = false;
    for (Shard s : shards.get()) {
      if (!s.isUp()) {
        errors.put(s.id(), "down");
        continue;
      }
      try {
        queues.addAll(s.backend().queueNames());
        counts.addAll(s.backend().dashboard().storedCounts());
        runs.addAll(s.backend().dashboard().maintenanceRuns());
        for (ServerBeat b : s.backend().dashboard().servers()) {
          servers.merge(b.serverId(), b, (a, c) -> a.heartbeatAtMillis() >= c.heartbeatAtMillis() ? a : c);
        }
        anyAnswered = true;
      } catch (RuntimeException e) {
        errors.put(s.id(), e.getMessage());
      }
    }
    long now = clock.millis();
    Map<String, QueueStats> stats = QueueStats.of(queues, counts, now);
    Map<String, List<JobInfo>> failed = new TreeMap<>();
    stats.values().stream().filter(q -> q.failed() > 0).forEach(q -> failed.put(q.queue(), readLatestFailed(q.queue())));
    Snapshot next = new Snapshot(now, Set.copyOf(queues), stats, List.copyOf(counts), List.copyOf(runs),
        List.copyOf(servers.values()), Map.copyOf(errors), Map.copyOf(failed));
    snapshot = next;
    if (anyAnswered && errors.isEmpty()) {
      metrics.retainQueues(queues);
    }
    gauges(stats);
    return next;
  }

  /** Latest failed jobs of the queue, newest first (as of the last refresh). */
  public List<JobInfo> latestFailed(String queue) {
    return snapshot.latestFailed().getOrDefault(queue, List.of());
  }

  /**
   * Up to {@link #LATEST_FAILED} per priority and shard, newest runAfter first: each is a backward
   * walk of the (state, priority, run_after) index, as cheap as the page it returns.
   */
  private List<JobInfo> readLatestFailed(String queue) {
    List<JobInfo> out = new ArrayList<>();
    for (Shard s : shards.get()) {
      if (!s.isUp()) {
        continue;
      }
      for (int p = 1; p <= priorityLevels; p++) {
        try {
          out.addAll(s.backend().scan(new JobFilter(QueueName.of(queue), JobState.FAILED, p, null, null), null,
              LATEST_FAILED));
        } catch (RuntimeException e) {
          LOG.debug("shard {}: latest failed of {} not read: {}", s.id(), queue, e.toString());
        }
      }
    }
    out.sort(ScanCursor::compare);
    return List.copyOf(out);
  }

  private void gauges(Map<String, QueueStats> stats) {
    List<MultiGauge.Row<?>> jobs = new ArrayList<>();
    List<MultiGauge.Row<?>> future = new ArrayList<>();
    List<MultiGauge.Row<?>> runnable = new ArrayList<>();
    List<MultiGauge.Row<?>> claim = new ArrayList<>();
    List<MultiGauge.Row<?>> paused = new ArrayList<>();
    Set<String> pausedNow = pauses.paused();
    for (QueueStats q : stats.values()) {
      q.byStatePriority().forEach((key, n) -> {
        String[] sp = key.split(":");
        jobs.add(MultiGauge.Row.of(Tags.of("queue", q.queue(), "state", sp[0].toLowerCase(java.util.Locale.ROOT),
            "priority", sp[1]), n));
      });
      future.add(MultiGauge.Row.of(Tags.of("queue", q.queue()), q.pendingFuture()));
      runnable.add(MultiGauge.Row.of(Tags.of("queue", q.queue()), q.oldestRunnableAgeMillis() / 1000.0));
      claim.add(MultiGauge.Row.of(Tags.of("queue", q.queue()), q.oldestClaimAgeMillis() / 1000.0));
      paused.add(MultiGauge.Row.of(Tags.of("queue", q.queue()), pausedNow.contains(q.queue()) ? 1 : 0));
    }
    metrics.queueDepth(jobs, future, runnable, claim, paused);
  }

  @Override
  public synchronized void close() {
    if (scheduler != null) {
      scheduler.shutdownNow();
    }
  }
}
