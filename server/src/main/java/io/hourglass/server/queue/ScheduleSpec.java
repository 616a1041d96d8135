package io.hourglass.server.queue;

/**
 * What a schedule enqueues and when: exactly one of {@code cron} (5-field Unix cron, read in
 * {@code zone}) and {@code intervalMillis} (ticks at creation + k × interval), plus the job
 * template. Validated by {@code schedule.Ticks#validate} before it is stored.
 */
public record ScheduleSpec(
    QueueName queue, String cron, String zone, Long intervalMillis, byte[] body, int priority,
    int attemptsAllowed) {}
