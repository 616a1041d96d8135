package io.hourglass.client.worker;

import java.time.Clock;

/** The worker's sense of time: the clock that ages buffered acks, and how backoffs wait. */
public record Timing(Clock clock, Sleeper sleeper) {
  public static Timing system() {
    return new Timing(Clock.systemUTC(), Sleeper.SYSTEM);
  }
}
