package io.hourglass.client.worker;

import java.time.Duration;

/** Waits. Tests replace it to count and skip waits instead of spending real time. */
@FunctionalInterface
public interface Sleeper {
  /** Sleeps for {@code d}; the worker interrupts it to shut down. */
  void sleep(Duration d) throws InterruptedException;

  Sleeper SYSTEM = d -> Thread.sleep(d.toMillis());
}
