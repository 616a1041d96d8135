package io.hourglass.server.schedule;

import io.hourglass.server.queue.QueueException;
import io.hourglass.server.queue.QueueException.Kind;
import io.hourglass.server.queue.QueueName;
import io.hourglass.server.queue.Schedule;
import io.hourglass.server.queue.ScheduleSpec;
import io.hourglass.server.queue.Shard;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.function.Supplier;

/**
 * Creates, lists and deletes schedules. They live in the {@code hourglass_schedules} table of one
 * shard: the one with the lowest id in the shard config (its "home").
 *
 * <p>How is this designed, and why? Exactly one job per tick needs one place that says which
 * tick is owed next, moved by compare-and-set; one table on one shard is that place, with no
 * replica to keep in step. Schedules are few and tick rarely, so one shard carries them
 * easily. The price: while the home shard is down, schedules cannot be created, listed or
 * deleted (SHARD_CONNECTION_FAILED) and do not tick; when it is back, each owed schedule fires
 * once (see {@link ScheduleTicker}). The home is picked by id, not by health, so every server
 * agrees on it; draining it (dequeueOnly) does not move it. Before removing that shard from the
 * config, list the schedules and create them again once the new lowest-id shard is in place.
 */
public final class Schedules {
  private final Supplier<List<Shard>> shards;
  private final Clock clock;

  public Schedules(Supplier<List<Shard>> shards, Clock clock) {
    this.shards = shards;
    this.clock = clock;
  }

  /** The shard holding the schedules; fails when it is down. */
  Shard home() {
    Shard home = shards.get().stream().min(Comparator.comparingInt(Shard::id))
        .orElseThrow(() -> new QueueException(Kind.NO_HEALTHY_SHARDS, "no shard is configured"));
    if (!home.isUp()) {
      throw new QueueException(Kind.SHARD_CONNECTION_FAILED, "schedules live on shard " + home.id()
          + ", which is down (" + home.health().downReason() + "); retry later");
    }
    return home;
  }

  /** Validates and stores a schedule; its first tick is the first one after now. */
  public Schedule create(ScheduleSpec spec) {
    Ticks.validate(spec);
    Shard home = home();
    if (!home.backend().queueNames().contains(spec.queue().value())) {
      throw new QueueException(Kind.QUEUE_NOT_FOUND, "queueName: queue '" + spec.queue() + "' does not exist");
    }
    long now = clock.millis();
    return home.backend().createSchedule(spec, now, Ticks.next(spec, now, now));
  }

  /** The schedules of one queue, or of all when {@code queue} is null. */
  public List<Schedule> list(QueueName queue) {
    return home().backend().listSchedules(queue);
  }

  /** Deletes a schedule; false when there was none with that id. */
  public boolean delete(long id) {
    return home().backend().deleteSchedule(id);
  }
}
