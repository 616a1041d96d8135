package io.hourglass.server.queue;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * How long one dequeue may take: at most half its queue's claim timeout (and at most
 * {@link #MAX}). Every job it claims was claimed after the dequeue started, so a dequeue answered
 * before its deadline hands out claims with at least half their timeout left — never one that the
 * claim-timeout rescue may already have given to someone else.
 *
 * @param startNanos {@link System#nanoTime} when the dequeue started
 */
record DequeueDeadline(long startNanos, long budgetNanos) {
  /** A dequeue never waits longer than this on its shards, whatever the claim timeout. */
  static final Duration MAX = Duration.ofSeconds(10);
  /** No new slot is asked once less than this share of the budget is left. */
  private static final int NEAR_FRACTION = 10;

  static DequeueDeadline forClaimTimeout(Duration claimTimeout) {
    Duration half = claimTimeout.dividedBy(2);
    return new DequeueDeadline(System.nanoTime(), (half.compareTo(MAX) < 0 ? half : MAX).toNanos());
  }

  long remainingNanos() {
    return budgetNanos - (System.nanoTime() - startNanos);
  }

  /** Too close to the deadline to start asking another shard. */
  boolean near() {
    return remainingNanos() < budgetNanos / NEAR_FRACTION;
  }

  long budgetMillis() {
    return TimeUnit.NANOSECONDS.toMillis(budgetNanos);
  }
}
