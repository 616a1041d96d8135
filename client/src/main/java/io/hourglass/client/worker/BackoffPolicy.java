package io.hourglass.client.worker;

import java.time.Duration;

/** How long to wait before try number {@code attempt} (1-based) of something that failed. */
@FunctionalInterface
public interface BackoffPolicy {
  Duration delay(int attempt);

  static BackoffPolicy fixed(Duration d) {
    return attempt -> d;
  }
}
