package io.hourglass.client.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ExponentialBackoffTest {
  private final ExponentialBackoff noJitter = new ExponentialBackoff(Duration.ofMillis(100), Duration.ofSeconds(2), 0);

  @Test
  void firstAttemptWaitsTheInitialDelay() {
    assertEquals(Duration.ofMillis(100), noJitter.delay(1));
  }

  @Test
  void delayDoublesPerAttemptUpToTheCap() {
    assertEquals(Duration.ofMillis(200), noJitter.delay(2));
    assertEquals(Duration.ofMillis(1600), noJitter.delay(5));
    assertEquals(Duration.ofSeconds(2), noJitter.delay(6));
    assertEquals(Duration.ofSeconds(2), noJitter.delay(1_000_000), "no overflow for huge attempt numbers");
  }

  @Test
  void attemptsBelowOneAreTreatedAsTheFirst() {
    assertEquals(Duration.ofMillis(100), noJitter.delay(0));
  }

  @Test
  void jitterOnlyShortensTheDelayAndByAtMostItsFraction() {
    ExponentialBackoff b = new ExponentialBackoff(Duration.ofMillis(1000), Duration.ofSeconds(60), 0.25);
    Random random = new Random(42);
    long min = Long.MAX_VALUE;
    long max = 0;
    for (int i = 0; i < 10_000; i++) {
      long d = b.delay(1, random).toMillis();
      min = Math.min(min, d);
      max = Math.max(max, d);
    }
    assertTrue(min >= 750, "shortest " + min);
    assertTrue(max <= 1000, "longest " + max);
    assertTrue(max - min > 200, "jitter spreads the delays: " + min + ".." + max);
  }

  @Test
  void cappedDelayWithJitterNeverExceedsTheCap() {
    ExponentialBackoff b = new ExponentialBackoff(Duration.ofMillis(100), Duration.ofMillis(500), 0.5);
    for (int attempt = 1; attempt < 50; attempt++) {
      assertTrue(b.delay(attempt).compareTo(Duration.ofMillis(500)) <= 0);
    }
  }

  @Test
  void rejectsACapBelowTheInitialDelay() {
    assertThrows(IllegalArgumentException.class,
        () -> new ExponentialBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1), 0));
  }
}
