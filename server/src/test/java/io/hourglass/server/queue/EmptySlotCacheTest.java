package io.hourglass.server.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hourglass.testing.MutableClock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EmptySlotCacheTest {
  static final QueueName Q = QueueName.of("q");
  final MutableClock clock = MutableClock.startingNow();
  final List<Integer> signals = new ArrayList<>();
  final EmptySlotCache cache = new EmptySlotCache(clock, 1_000, (q, n) -> signals.add(n));

  @Test
  void aClaimThatOverlappedAnEnqueueDoesNotMarkTheSlotEmpty() {
    long epoch = cache.epoch(Q, 1, 1); // a claim starts and finds nothing ...
    cache.forget(Q, 1, 1, 3);          // ... while an enqueue commits 3 jobs
    cache.markEmpty(Q, 1, 1, epoch);   // the claim's "empty" is stale
    assertFalse(cache.isEmpty(Q, 1, 1));
    assertEquals(List.of(3), signals);
  }

  @Test
  void aSlotFoundEmptyIsSkippedUntilItsTtl() {
    cache.markEmpty(Q, 1, 2, cache.epoch(Q, 1, 2));
    assertTrue(cache.isEmpty(Q, 1, 2));
    clock.advance(java.time.Duration.ofMillis(1_000));
    assertFalse(cache.isEmpty(Q, 1, 2));
  }

  @Test
  void retryingFailedJobsForgetsEverySlotOfTheQueue() {
    cache.markEmpty(Q, 1, 1, cache.epoch(Q, 1, 1));
    cache.markEmpty(Q, 2, 3, cache.epoch(Q, 2, 3));
    cache.forgetAll(Q, 7);
    assertFalse(cache.isEmpty(Q, 1, 1));
    assertFalse(cache.isEmpty(Q, 2, 3));
    assertEquals(List.of(7), signals);
  }
}
