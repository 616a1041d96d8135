package io.hourglass.server.queue;

/**
 * One acknowledgement of a dequeued job. {@code appendCustomStatus} is never null (empty when
 * absent). The other fields only matter for failures:
 *
 * @param retryDelayMillis the delay before the retry, unless {@code retryPolicy} is set
 * @param giveUp the job goes to FAILED at once, whatever attempts remain
 * @param retryPolicy null: wait {@code retryDelayMillis}; else the queue's policy computes the
 *     delay from the job's attempt number (the ack asked for it and the queue has one)
 */
public record Ack(
    JobDescriptor descriptor, String appendCustomStatus, long retryDelayMillis, boolean giveUp,
    RetryPolicy retryPolicy) {

  /** A PinLater ack: retry after {@code retryDelayMillis} while attempts remain. */
  public Ack(JobDescriptor descriptor, String appendCustomStatus, long retryDelayMillis) {
    this(descriptor, appendCustomStatus, retryDelayMillis, false, null);
  }

  public Ack givingUp() {
    return new Ack(descriptor, appendCustomStatus, retryDelayMillis, true, retryPolicy);
  }

  public Ack withRetryPolicy(RetryPolicy policy) {
    return new Ack(descriptor, appendCustomStatus, retryDelayMillis, giveUp, policy);
  }

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
