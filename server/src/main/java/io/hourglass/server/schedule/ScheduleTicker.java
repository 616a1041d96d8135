package io.hourglass.server.schedule;

import io.hourglass.server.metrics.JobCounter;
import io.hourglass.server.metrics.ServerMetrics;
import io.hourglass.server.queue.Coordinator;
import io.hourglass.server.queue.MaintenanceLease;
import io.hourglass.server.queue.NewJob;
import io.hourglass.server.queue.QueueException;
import io.hourglass.server.queue.Schedule;
import io.hourglass.server.queue.ScheduleSpec;
import io.hourglass.server.queue.Shard;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fires schedule ticks: every {@code maintenance.scheduleIntervalMillis}, on every server, it
 * looks whether any schedule's next tick has come (one statement, no lock); if one has, it
 * takes the home shard's "schedules" lease, and for each schedule whose next tick has come
 * enqueues one job and moves the schedule on.
 *
 * <p>How is this designed, and why? Three locks make one job per tick, however many servers
 * run: the lease ({@code GET_LOCK}) lets one server at a time fire ticks; the job's unique key
 * {@code schedule:<id>:<tickMillis>} makes a second enqueue of the same tick return the first
 * job; the compare-and-set on {@code next_fire_at} moves each tick on once. The enqueue comes
 * before the move, so a server that dies between the two leaves the tick owed, and the next
 * server's enqueue of it finds the job already there (unless that job already finished in
 * the meantime — the one window in which a tick can run twice).
 *
 * <p>Catch-up: a schedule whose tick was missed (all servers down, or the home shard down)
 * fires once, for the oldest tick it owes (that is the job's key and runAfter), then resumes
 * with the first tick after now. Ticks missed meanwhile are not replayed.
 */
public final class ScheduleTicker implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ScheduleTicker.class);
  public static final String TASK = "schedules";
  /** Schedules fired per cycle at most; the rest wait for the next cycle. */
  static final int MAX_PER_CYCLE = 500;

  /** What one cycle did. */
  public enum Outcome { RAN, NOTHING_DUE, HELD_ELSEWHERE, RAN_RECENTLY, SHARD_DOWN, FAILED }

  private final Schedules schedules;
  private final Coordinator coordinator;
  private final Clock clock;
  private final Duration interval;
  private final ServerMetrics metrics;
  private ScheduledExecutorService scheduler;

  public ScheduleTicker(Schedules schedules, Coordinator coordinator, Clock clock, Duration interval,
      ServerMetrics metrics) {
    this.schedules = schedules;
    this.coordinator = coordinator;
    this.clock = clock;
    this.interval = interval;
    this.metrics = metrics;
  }

  /** The unique key of one tick's job. */
  public static String tickKey(long scheduleId, long tickMillis) {
    return "schedule:" + scheduleId + ":" + tickMillis;
  }

  public synchronized void start() {
    if (scheduler == null) {
      scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "maintenance-" + TASK);
        t.setDaemon(true);
        return t;
      });
      long every = interval.toMillis();
      scheduler.scheduleWithFixedDelay(() -> {
        try {
          runOnce();
        } catch (RuntimeException e) {
          LOG.error("schedule ticks failed", e);
        }
      }, every, every, TimeUnit.MILLISECONDS);
    }
  }

  @Override
  public synchronized void close() {
    if (scheduler != null) {
      scheduler.shutdownNow();
      scheduler = null;
    }
  }

  /** One cycle now. */
  public synchronized Outcome runOnce() {
    Outcome o = cycle();
    metrics.maintenanceCycle(TASK, o.name().toLowerCase(java.util.Locale.ROOT));
    return o;
  }

  private Outcome cycle() {
    Shard home;
    try {
      home = schedules.home();
    } catch (QueueException e) {
      return Outcome.SHARD_DOWN;
    }
    long now = clock.millis();
    try {
      // One read without the lease first: most seconds no tick is due, and then a cycle costs one statement.
      if (home.backend().dueSchedules(now, 1).isEmpty()) {
        return Outcome.NOTHING_DUE;
      }
    } catch (QueueException e) {
      return e.kind() == QueueException.Kind.SHARD_CONNECTION_FAILED ? Outcome.SHARD_DOWN : Outcome.FAILED;
    }
    try (MaintenanceLease lease = home.backend().tryLease(TASK, now, interval.toMillis() * 9 / 10)) {
      if (!lease.acquired()) {
        return lease.outcome() == MaintenanceLease.Outcome.HELD_ELSEWHERE ? Outcome.HELD_ELSEWHERE : Outcome.RAN_RECENTLY;
      }
      List<Schedule> due = home.backend().dueSchedules(now, MAX_PER_CYCLE);
      for (Schedule s : due) {
        fire(home, s, now);
      }
      return Outcome.RAN;
    } catch (QueueException e) {
      LOG.warn("schedule ticks skipped this cycle: {}", e.getMessage());
      return e.kind() == QueueException.Kind.SHARD_CONNECTION_FAILED ? Outcome.SHARD_DOWN : Outcome.FAILED;
    }
  }

  private void fire(Shard home, Schedule s, long now) {
    ScheduleSpec spec = s.spec();
    long tick = s.nextFireAtMillis();
    NewJob job = new NewJob(spec.body(), spec.priority(), tick, spec.attemptsAllowed(), "")
        .withUniqueKey(tickKey(s.id(), tick));
    try {
      coordinator.enqueueJobs(spec.queue(), List.of(job));
      metrics.count(JobCounter.SCHEDULED, spec.queue().value(), 1);
    } catch (QueueException e) {
      if (e.kind() != QueueException.Kind.QUEUE_NOT_FOUND) {
        LOG.warn("schedule {} (queue {}): tick {} not enqueued, retried next cycle: {}", s.id(), spec.queue(), tick,
            e.getMessage());
        return;
      }
      LOG.warn("schedule {}: queue {} does not exist; tick {} skipped (delete the schedule?)", s.id(), spec.queue(),
          tick);
    }
    home.backend().advanceSchedule(s.id(), tick, Ticks.next(spec, s.createdAtMillis(), now));
  }
}
