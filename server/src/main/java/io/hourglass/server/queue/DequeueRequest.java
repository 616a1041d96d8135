package io.hourglass.server.queue;

/** A validated dequeue: up to {@code limit} jobs for {@code claimant}. */
public record DequeueRequest(QueueName queue, int limit, String claimant) {}
