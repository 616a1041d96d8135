package io.hourglass.client.cli;

import java.time.Duration;

/**
 * One load run.
 *
 * @param queue       the queue to load (created if missing)
 * @param mode        enqueue, work, or both at once
 * @param concurrency enqueue threads, and workers (each with its own fetcher)
 * @param batchSize   jobs per enqueue RPC, and slots per worker (its largest dequeue)
 * @param bodySize    bytes per job body (at least {@link LoadBody#MIN_SIZE})
 * @param duration    how long to run
 * @param uniqueKeys  give every enqueued job a fresh unique key (EXTENSION), to measure their cost
 */
record LoadPlan(String queue, Mode mode, int concurrency, int batchSize, int bodySize, Duration duration,
    boolean uniqueKeys) {
  enum Mode { ENQUEUE, WORK, BOTH }

  LoadPlan(String queue, Mode mode, int concurrency, int batchSize, int bodySize, Duration duration) {
    this(queue, mode, concurrency, batchSize, bodySize, duration, false);
  }

  LoadPlan {
    if (concurrency < 1 || batchSize < 1) {
      throw new IllegalArgumentException("load: --concurrency and --batch-size must be at least 1");
    }
    if (bodySize < LoadBody.MIN_SIZE) {
      throw new IllegalArgumentException("load: --body-size must be at least " + LoadBody.MIN_SIZE
          + " (the body carries its enqueue time)");
    }
    if (duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException("load: --duration must be positive");
    }
  }

  boolean enqueues() {
    return mode != Mode.WORK;
  }

  boolean works() {
    return mode != Mode.ENQUEUE;
  }
}
