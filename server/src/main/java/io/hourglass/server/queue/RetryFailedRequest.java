package io.hourglass.server.queue;

/** Move up to {@code limit} FAILED jobs of one priority back to PENDING. */
public record RetryFailedRequest(
    QueueName queue, int priority, int attemptsToAllow, long runAfterMillis, int limit) {}
