package io.hourglass.server.config;

import java.time.Duration;

/**
 * What one queue may differ in from the server defaults.
 *
 * @param dequeueRateLimit jobs per second over all servers; null: unlimited; 0: paused
 * @param claimTimeout an IN_PROGRESS job not acked or checkpointed this long is rescued
 * @param retention SUCCEEDED and FAILED jobs are deleted this long after their last update
 */
public record QueueSettings(Double dequeueRateLimit, Duration claimTimeout, Duration retention) {}
