package io.hourglass.server.config;

import io.hourglass.server.queue.RetryPolicy;
import java.time.Duration;

/**
 * What one queue may differ in from the server defaults.
 *
 * @param dequeueRateLimit jobs per second over all servers; null: unlimited; 0: paused
 * @param claimTimeout an IN_PROGRESS job not acked or checkpointed this long is rescued
 * @param retention SUCCEEDED and FAILED jobs are deleted this long after their last update
 * @param retry null: failure acks wait the retryDelayMillis they carry; else the delay of failure
 *     acks that leave it to the server (PinLaterJobAckInfo.retryDelayFromQueuePolicy)
 */
public record QueueSettings(Double dequeueRateLimit, Duration claimTimeout, Duration retention, RetryPolicy retry) {
  /** Settings without a retry policy. */
  public QueueSettings(Double dequeueRateLimit, Duration claimTimeout, Duration retention) {
    this(dequeueRateLimit, claimTimeout, retention, null);
  }
}
