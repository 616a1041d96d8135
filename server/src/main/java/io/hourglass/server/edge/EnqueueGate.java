package io.hourglass.server.edge;

import io.hourglass.server.queue.QueueException;
import io.hourglass.server.queue.QueueException.Kind;
import java.util.concurrent.Semaphore;
import java.util.function.Supplier;

/**
 * Admission control for enqueues: at most {@code enqueue.maxConcurrent} run at once on this
 * server; more are refused with ENQUEUE_REJECTED at once instead of queueing. An enqueue flood
 * then cannot take every request thread from the dequeues and acks that drain the queues, and
 * producers learn to back off instead of piling up requests in memory.
 */
final class EnqueueGate {
  private final int max;
  private final Semaphore permits;

  EnqueueGate(int max) {
    this.max = max;
    this.permits = new Semaphore(max);
  }

  <T> T admit(Supplier<T> enqueue) {
    if (!permits.tryAcquire()) {
      throw new QueueException(Kind.ENQUEUE_REJECTED, "server busy: " + max
          + " enqueues are already running here (enqueue.maxConcurrent); retry with backoff");
    }
    try {
      return enqueue.get();
    } finally {
      permits.release();
    }
  }
}
