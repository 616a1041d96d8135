package io.hourglass.server.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.hourglass.server.config.QueueConfig;
import io.hourglass.server.config.QueueSettings;
import io.hourglass.server.queue.QueueException;
import io.hourglass.server.queue.QueueName;
import io.hourglass.testing.MutableClock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class DequeueRateLimiterTest {
  static final QueueName Q = QueueName.of("q");
  final MutableClock clock = new MutableClock(1_000_000);
  final AtomicInteger servers = new AtomicInteger(1);
  final AtomicReference<QueueConfig> config = new AtomicReference<>(withRate(4.0));
  final DequeueRateLimiter limiter = new DequeueRateLimiter(clock, config::get, servers::get);

  static QueueConfig withRate(Double rate) {
    QueueSettings d = new QueueSettings(null, Duration.ofMinutes(1), Duration.ofDays(1));
    return new QueueConfig(Map.of("q", new QueueSettings(rate, d.claimTimeout(), d.retention())), d);
  }

  private void assertLimited() {
    QueueException e = assertThrows(QueueException.class, () -> limiter.acquire(Q, 10));
    assertEquals(QueueException.Kind.DEQUEUE_RATE_LIMITED, e.kind());
  }

  @Test
  void aSecondsWorthIsAvailableAtOnceThenItRefillsAtTheRate() {
    assertEquals(4, limiter.acquire(Q, 10));
    assertLimited();
    clock.advance(Duration.ofMillis(500));
    assertEquals(2, limiter.acquire(Q, 10));
    clock.advance(Duration.ofSeconds(60));
    assertEquals(4, limiter.acquire(Q, 10), "never more than a second's worth saved up");
  }

  @Test
  void unusedTokensAreGivenBack() {
    assertEquals(4, limiter.acquire(Q, 10));
    limiter.giveBack(Q, 3); // the dequeue found only one job
    assertEquals(3, limiter.acquire(Q, 10));
  }

  @Test
  void theRateIsSplitAmongLiveServers() {
    servers.set(4);
    assertEquals(1, limiter.acquire(Q, 10));
    assertLimited();
    clock.advance(Duration.ofMillis(999));
    assertLimited();
    clock.advance(Duration.ofMillis(1));
    assertEquals(1, limiter.acquire(Q, 10));
  }

  @Test
  void zeroPausesAndNoLimitMeansUnlimited() {
    config.set(withRate(0.0));
    assertLimited();
    config.set(withRate(null));
    assertEquals(10_000, limiter.acquire(Q, 10_000));
    assertEquals(7, DequeueRateLimiter.unlimited().acquire(Q, 7));
  }
}
