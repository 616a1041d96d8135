package io.hourglass.server.queue;

/**
 * One acknowledgement of a dequeued job. {@code retryDelayMillis} only matters for failures.
 * {@code appendCustomStatus} is never null (empty when absent).
 */
public record Ack(JobDescriptor descriptor, String appendCustomStatus, long retryDelayMillis) {

  /**
   * When a failed job runs again: {@code now + retryDelayMillis}, saturating at
   * {@link Long#MAX_VALUE} ("never, in practice") instead of overflowing to a negative time that
   * would mean "at once".
   */
  public static long retryAtMillis(long nowMillis, long retryDelayMillis) {
    long at = nowMillis + retryDelayMillis;
    return retryDelayMillis > 0 && at < nowMillis ? Long.MAX_VALUE : at;
  }
}
