package io.hourglass.client.worker;

import java.time.Duration;

/**
 * What a {@link Worker} works on and how. Start from {@link #defaults(String, int)} and change
 * what you need with the {@code with…} methods.
 *
 * @param queue             the queue to work
 * @param concurrency       jobs handled at once; the worker never holds more jobs than this
 * @param ackBatchSize      buffered acks that trigger a flush of their own
 * @param ackFlushInterval  longest an ack waits for a dequeue to ride on before it is sent alone
 * @param idleBackoff       wait after the n-th empty dequeue in a row
 * @param errorBackoff      wait after the n-th failed dequeue (or ack flush) in a row
 * @param retryBackoff      retry delay sent with the failure ack of a job's n-th attempt
 * @param shutdownGrace     how long {@link Worker#close()} lets running jobs finish; jobs still
 *                          running after it are left to the server's claim timeout
 * @param heartbeatInterval how often running jobs are checkpointed so their claim does not time
 *                          out; {@link Duration#ZERO} turns heartbeats off
 * @param dequeueWait       how long an empty dequeue waits on the server for work (long-poll,
 *                          {@code waitMillis}); {@link Duration#ZERO} turns long-poll off. The idle
 *                          backoff applies only when an empty answer came sooner than half of it
 *                          (a server without long-poll, or one shutting down)
 */
public record WorkerConfig(
    String queue,
    int concurrency,
    int ackBatchSize,
    Duration ackFlushInterval,
    ExponentialBackoff idleBackoff,
    ExponentialBackoff errorBackoff,
    BackoffPolicy retryBackoff,
    Duration shutdownGrace,
    Duration heartbeatInterval,
    Duration dequeueWait) {

  public static final int DEFAULT_ACK_BATCH_SIZE = 200;
  public static final Duration DEFAULT_ACK_FLUSH_INTERVAL = Duration.ofMillis(250);
  public static final ExponentialBackoff DEFAULT_IDLE_BACKOFF =
      new ExponentialBackoff(Duration.ofMillis(100), Duration.ofSeconds(2), 0.25);
  public static final ExponentialBackoff DEFAULT_ERROR_BACKOFF =
      new ExponentialBackoff(Duration.ofMillis(100), Duration.ofSeconds(10), 0.25);
  public static final BackoffPolicy DEFAULT_RETRY_BACKOFF =
      new ExponentialBackoff(Duration.ofSeconds(5), Duration.ofHours(1), 0.1);
  public static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(30);
  /** Short enough that stopping a worker (which waits for the dequeue in flight) stays quick. */
  public static final Duration DEFAULT_DEQUEUE_WAIT = Duration.ofSeconds(2);

  public WorkerConfig {
    if (queue == null || queue.isBlank()) {
      throw new IllegalArgumentException("worker: queue must not be blank");
    }
    check(concurrency >= 1, "concurrency must be at least 1, got " + concurrency);
    check(ackBatchSize >= 1, "ackBatchSize must be at least 1, got " + ackBatchSize);
    check(ackFlushInterval.compareTo(Duration.ofMillis(1)) >= 0, "ackFlushInterval must be at least 1 ms");
    check(idleBackoff != null && errorBackoff != null && retryBackoff != null, "backoffs must be set");
    check(!shutdownGrace.isNegative(), "shutdownGrace must not be negative");
    check(!heartbeatInterval.isNegative(), "heartbeatInterval must not be negative (ZERO turns it off)");
    check(!dequeueWait.isNegative() && dequeueWait.toMillis() <= Integer.MAX_VALUE,
        "dequeueWait must be between 0 (long-poll off) and 2^31-1 ms");
  }

  public static WorkerConfig defaults(String queue, int concurrency) {
    return new WorkerConfig(queue, concurrency, DEFAULT_ACK_BATCH_SIZE, DEFAULT_ACK_FLUSH_INTERVAL,
        DEFAULT_IDLE_BACKOFF, DEFAULT_ERROR_BACKOFF, DEFAULT_RETRY_BACKOFF, DEFAULT_SHUTDOWN_GRACE, Duration.ZERO,
        DEFAULT_DEQUEUE_WAIT);
  }

  public WorkerConfig withAcks(int batchSize, Duration flushInterval) {
    return new WorkerConfig(queue, concurrency, batchSize, flushInterval, idleBackoff, errorBackoff,
        retryBackoff, shutdownGrace, heartbeatInterval, dequeueWait);
  }

  public WorkerConfig withIdleBackoff(ExponentialBackoff b) {
    return new WorkerConfig(queue, concurrency, ackBatchSize, ackFlushInterval, b, errorBackoff,
        retryBackoff, shutdownGrace, heartbeatInterval, dequeueWait);
  }

  public WorkerConfig withErrorBackoff(ExponentialBackoff b) {
    return new WorkerConfig(queue, concurrency, ackBatchSize, ackFlushInterval, idleBackoff, b,
        retryBackoff, shutdownGrace, heartbeatInterval, dequeueWait);
  }

  public WorkerConfig withRetryBackoff(BackoffPolicy b) {
    return new WorkerConfig(queue, concurrency, ackBatchSize, ackFlushInterval, idleBackoff, errorBackoff,
        b, shutdownGrace, heartbeatInterval, dequeueWait);
  }

  public WorkerConfig withShutdownGrace(Duration d) {
    return new WorkerConfig(queue, concurrency, ackBatchSize, ackFlushInterval, idleBackoff, errorBackoff,
        retryBackoff, d, heartbeatInterval, dequeueWait);
  }

  public WorkerConfig withHeartbeat(Duration interval) {
    return new WorkerConfig(queue, concurrency, ackBatchSize, ackFlushInterval, idleBackoff, errorBackoff,
        retryBackoff, shutdownGrace, interval, dequeueWait);
  }

  /** {@link Duration#ZERO}: no long-poll, the idle backoff paces empty dequeues. */
  public WorkerConfig withDequeueWait(Duration wait) {
    return new WorkerConfig(queue, concurrency, ackBatchSize, ackFlushInterval, idleBackoff, errorBackoff,
        retryBackoff, shutdownGrace, heartbeatInterval, wait);
  }

  private static void check(boolean ok, String problem) {
    if (!ok) {
      throw new IllegalArgumentException("worker: " + problem);
    }
  }
}
