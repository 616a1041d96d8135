package io.hourglass.client.worker;

import io.hourglass.thrift.PinLaterJobAckInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs the handler for one job, turns the outcome into an ack, and frees the job's slot. */
final class JobRunner {
  private static final Logger LOG = LoggerFactory.getLogger(JobRunner.class);
  private static final int STATUS_MAX_CHARS = 200;

  private final JobHandler handler;
  private final BackoffPolicy retryBackoff;
  private final AckBatcher batcher;
  private final AckFlusher flusher;
  private final Slots slots;
  private final WorkerStats stats;

  /** {@code flusher} is woken when an ack fills the buffer up. */
  JobRunner(JobHandler handler, WorkerParts parts, AckFlusher flusher) {
    this.handler = handler;
    this.retryBackoff = parts.config().retryBackoff();
    this.batcher = parts.acks();
    this.flusher = flusher;
    this.slots = parts.slots();
    this.stats = parts.stats();
  }

  void run(Job job) {
    try {
      handler.handle(job);
      stats.jobsSucceeded.incrementAndGet();
      record(new PinLaterJobAckInfo(job.descriptor()), true);
    } catch (Throwable t) {
      long delay = retryBackoff.delay(job.attempt()).toMillis();
      boolean giveUp = t instanceof GiveUpException;
      // The queue's retry policy decides the delay where the queue has one (EXTENSION); this
      // worker's own backoff is the delay everywhere else.
      PinLaterJobAckInfo ack = new PinLaterJobAckInfo(job.descriptor())
          .setRetryDelayMillis(delay)
          .setRetryDelayFromQueuePolicy(true)
          .setGiveUp(giveUp)
          .setAppendCustomStatus(status(job, t));
      if (record(ack, false)) {
        stats.jobsFailed.incrementAndGet();
        LOG.warn("job {} attempt {} of {} failed{}: {}", job.descriptor(), job.attempt(), job.attemptsAllowed(),
            job.isLastAttempt() || giveUp ? " for good"
                : ", retry in " + delay + " ms (or as the queue's retry policy says)", t.toString());
      }
      if (t instanceof VirtualMachineError e) {
        throw e;
      }
    } finally {
      // The ack is buffered before the slot frees, so the dequeue the free slot triggers carries it.
      slots.vacate(job.descriptor());
    }
  }

  /** False when the worker no longer takes acks (shutdown gave up on this job). */
  private boolean record(PinLaterJobAckInfo ack, boolean success) {
    if (!batcher.add(ack, success)) {
      stats.acksDropped.incrementAndGet();
      LOG.warn("job {} ended after the shutdown grace period and is not acked; it runs again once its "
          + "claim times out", ack.getJobDescriptor());
      return false;
    }
    if (batcher.isFull()) {
      flusher.wake();
    }
    return true;
  }

  private static String status(Job job, Throwable t) {
    String s = "attempt " + job.attempt() + " failed: " + t;
    return (s.length() > STATUS_MAX_CHARS ? s.substring(0, STATUS_MAX_CHARS) : s) + "\n";
  }
}
