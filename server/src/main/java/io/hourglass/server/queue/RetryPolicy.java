package io.hourglass.server.queue;

/**
 * How long a failed job waits before its next attempt, as a function of the attempt that just
 * failed (1 for the first). A queue's policy (queue config {@code retry}) applies to failure
 * acks that leave the delay to the server; acks that carry their own delay keep it.
 *
 * <p>Exponential: {@code min(maxMillis, baseMillis × 2^(attempt − 1))}, then spread by
 * {@code ±jitter} of itself (jitter 0.2: 80%..120%), so retries of jobs that failed together do
 * not come back together. Fixed: {@code delayMillis} every time. The MySQL backend computes the
 * same formula in SQL ({@code MySqlQueries.ackFailed}) so one statement acks a whole batch.
 */
public record RetryPolicy(Kind kind, long baseMillis, long maxMillis, double jitter) {
  public enum Kind { EXPONENTIAL, FIXED }

  /** Exponents above this are capped (2^40 ms is 35 years: far past any maxMillis). */
  public static final int MAX_EXPONENT = 40;

  public RetryPolicy {
    if (baseMillis < 0 || maxMillis < baseMillis || jitter < 0 || jitter > 1) {
      throw new IllegalArgumentException("retry policy needs 0 <= base <= max and jitter in [0, 1]");
    }
  }

  public static RetryPolicy exponential(long baseMillis, long maxMillis, double jitter) {
    return new RetryPolicy(Kind.EXPONENTIAL, baseMillis, maxMillis, jitter);
  }

  public static RetryPolicy fixed(long delayMillis) {
    return new RetryPolicy(Kind.FIXED, delayMillis, delayMillis, 0);
  }

  /**
   * The delay after {@code attempt} failed; {@code random} in [0, 1) picks the jitter (the MySQL
   * backend uses RAND()).
   */
  public long delayMillis(int attempt, double random) {
    double d = kind == Kind.FIXED ? baseMillis
        : Math.min(maxMillis, baseMillis * Math.pow(2, Math.min(Math.max(attempt - 1, 0), MAX_EXPONENT)));
    return Math.round(d * (1 - jitter + 2 * jitter * random));
  }
}
