package io.hourglass.server.queue;

/**
 * A stored schedule: its id (unique in the cluster: schedules live on one shard, see
 * {@code schedule.Schedules}), what it does, and the next tick it owes.
 */
public record Schedule(long id, ScheduleSpec spec, long nextFireAtMillis, long createdAtMillis) {}
