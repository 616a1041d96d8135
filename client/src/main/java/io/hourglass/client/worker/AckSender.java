package io.hourglass.client.worker;

import io.hourglass.client.HourglassClient;
import io.hourglass.client.HourglassException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a batch of acks on its own (ackDequeuedJobs). A transient failure puts the batch back to
 * be tried again; a permanent one (the server says the request itself is wrong, e.g. the queue
 * is gone) drops it with an error log, since resending it could only fail the same way.
 */
final class AckSender {
  private static final Logger LOG = LoggerFactory.getLogger(AckSender.class);

  private final HourglassClient client;
  private final String queue;
  private final AckBatcher batcher;
  private final WorkerStats stats;

  AckSender(WorkerParts parts) {
    this.client = parts.client();
    this.queue = parts.queue();
    this.batcher = parts.acks();
    this.stats = parts.stats();
  }

  /** True when the batch is settled (delivered or dropped); false when it was put back. */
  boolean send(AckBatch batch) {
    if (batch.isEmpty()) {
      return true;
    }
    stats.ackRpcs.incrementAndGet();
    try {
      client.ackDequeuedJobs(batch.toRequest(queue));
      stats.acksSentAlone.addAndGet(batch.size());
      return true;
    } catch (HourglassException e) {
      stats.ackRpcFailures.incrementAndGet();
      if (!e.isTransient()) {
        stats.acksDropped.addAndGet(batch.size());
        LOG.error("queue {}: dropping {} acks the server refuses ({}); those jobs go back to the queue "
            + "when their claim times out", queue, batch.size(), e.getMessage());
        return true;
      }
      batcher.putBack(batch);
      LOG.warn("queue {}: {} acks not delivered, will retry: {}", queue, batch.size(), e.getMessage());
      return false;
    }
  }
}
