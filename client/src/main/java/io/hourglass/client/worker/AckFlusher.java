package io.hourglass.client.worker;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The thread that sends buffered acks when no dequeue took them in time: it looks every tick (a
 * fraction of the flush interval) and whenever the buffer fills up ({@link #wake()}), sends the
 * buffer if it is due, and backs off while sends fail. On {@link #stop()} it makes a last flush,
 * retried a few times, and counts what it could not deliver as dropped.
 */
final class AckFlusher {
  private static final Logger LOG = LoggerFactory.getLogger(AckFlusher.class);
  private static final int FINAL_FLUSH_TRIES = 3;

  private final AckBatcher batcher;
  private final AckSender sender;
  private final ExponentialBackoff errorBackoff;
  private final long tickMillis;
  private final WorkerStats stats;
  private final Semaphore wakeups = new Semaphore(0);
  private final Thread thread;
  private volatile boolean stopped;

  AckFlusher(WorkerParts parts) {
    this.batcher = parts.acks();
    this.sender = new AckSender(parts);
    this.errorBackoff = parts.config().errorBackoff();
    this.tickMillis = Math.max(1, Math.min(100, parts.config().ackFlushInterval().toMillis() / 4));
    this.stats = parts.stats();
    this.thread = new Thread(this::loop, "hourglass-acks-" + parts.queue());
    thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  /** Asks for a look now: the buffer just filled up. */
  void wake() {
    wakeups.release();
  }

  private void loop() {
    int failures = 0;
    long waitMillis = tickMillis;
    while (!stopped) {
      try {
        wakeups.tryAcquire(waitMillis, TimeUnit.MILLISECONDS);
        wakeups.drainPermits();
      } catch (InterruptedException e) {
        return;
      }
      if (stopped || !batcher.isDue()) {
        continue;
      }
      if (sender.send(batcher.drain())) {
        failures = 0;
        waitMillis = tickMillis;
      } else {
        waitMillis = Math.max(tickMillis, errorBackoff.delay(++failures).toMillis());
      }
    }
  }

  /** Stops the thread, then sends what is left. */
  void stop() {
    stopped = true;
    wakeups.release();
    joinQuietly();
    for (int attempt = 1; attempt <= FINAL_FLUSH_TRIES; attempt++) {
      if (sender.send(batcher.drain())) {
        return;
      }
      if (attempt < FINAL_FLUSH_TRIES && !pause(errorBackoff.delay(attempt))) {
        break;
      }
    }
    int lost = batcher.drain().size();
    if (lost > 0) {
      stats.acksDropped.addAndGet(lost);
      LOG.error("{} acks could not be delivered at shutdown; those jobs run again after their claim "
          + "times out", lost);
    }
  }

  private void joinQuietly() {
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static boolean pause(Duration d) {
    try {
      Thread.sleep(d.toMillis());
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
