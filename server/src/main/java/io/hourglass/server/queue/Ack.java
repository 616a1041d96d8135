package io.hourglass.server.queue;

/**
 * One acknowledgement of a dequeued job. {@code retryDelayMillis} only matters for failures.
 * {@code appendCustomStatus} is never null (empty when absent).
 */
public record Ack(JobDescriptor descriptor, String appendCustomStatus, long retryDelayMillis) {}
