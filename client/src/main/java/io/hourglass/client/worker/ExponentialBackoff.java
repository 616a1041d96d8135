package io.hourglass.client.worker;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;

/**
 * {@code initial * 2^(attempt-1)}, capped at {@code max}, then shortened by a random fraction up
 * to {@code jitter} (0 = none, 0.25 = up to a quarter) so that many workers that failed together
 * do not come back together. Never longer than {@code max}.
 */
public record ExponentialBackoff(Duration initial, Duration max, double jitter) implements BackoffPolicy {

  public ExponentialBackoff {
    if (initial.isNegative() || initial.isZero()) {
      throw new IllegalArgumentException("backoff: initial must be positive, got " + initial);
    }
    if (max.compareTo(initial) < 0) {
      throw new IllegalArgumentException("backoff: max " + max + " is below initial " + initial);
    }
    if (!(jitter >= 0 && jitter <= 1)) {
      throw new IllegalArgumentException("backoff: jitter must be within 0..1, got " + jitter);
    }
  }

  @Override
  public Duration delay(int attempt) {
    return delay(attempt, ThreadLocalRandom.current());
  }

  public Duration delay(int attempt, RandomGenerator random) {
    long base = uncapped(Math.max(attempt, 1));
    long capped = Math.min(base, max.toNanos());
    long cut = (long) (capped * jitter * random.nextDouble());
    return Duration.ofNanos(capped - cut);
  }

  private long uncapped(int attempt) {
    long nanos = initial.toNanos();
    int doublings = attempt - 1;
    // Doubling past the cap only risks overflow; stop as soon as we are there.
    while (doublings-- > 0 && nanos < max.toNanos()) {
      nanos *= 2;
    }
    return nanos;
  }
}
