package io.hourglass.server.queue;

/**
 * The one "new work" signal: told whenever this server may have made jobs of a queue runnable
 * (enqueue, failure ack with attempts left, retry-failed, checkpoint to pending, release, rescue,
 * or the long-poll probe finding work other servers added). Long-polling dequeues listen to it.
 */
@FunctionalInterface
public interface NewWork {
  /** Nobody listens. */
  NewWork NONE = (queue, jobs) -> { };

  /** Up to {@code jobs} jobs of {@code queue} may have become runnable. */
  void added(QueueName queue, int jobs);
}
