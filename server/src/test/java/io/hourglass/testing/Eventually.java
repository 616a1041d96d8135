package io.hourglass.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waits for something asynchronous (a reload, a probe) with a deadline; fails with a message. */
public final class Eventually {
  private Eventually() {}

  /** Polls {@code condition} every 20 ms; returns the milliseconds it took. */
  public static long await(Duration timeout, String what, BooleanSupplier condition) {
    long start = System.nanoTime();
    long deadline = start + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + timeout.toMillis() + " ms: " + what);
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted while waiting for: " + what);
      }
    }
    return (System.nanoTime() - start) / 1_000_000;
  }
}
