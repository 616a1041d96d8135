package io.hourglass.client.worker;

import io.hourglass.thrift.PinLaterJobAckInfo;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The buffer of acks not yet sent. Thread-safe; no I/O and no threads of its own.
 *
 * <p>How is this designed, and why? Acks are cheapest when they ride on the next dequeue (no RPC
 * of their own), so the fetcher {@link #drain()}s everything before each dequeue. When no dequeue
 * comes soon enough — all slots busy with long jobs, or the queue empty and the fetcher backing
 * off — the buffer becomes {@link #isDue() due} (full, or its oldest ack older than the flush
 * interval) and the flusher sends it alone. A send that fails {@link #putBack(AckBatch) puts the
 * batch back} with its original age, so it is due again at once and nothing is lost.
 */
final class AckBatcher {
  private final int maxBatch;
  private final Duration flushInterval;
  private final Clock clock;
  private List<PinLaterJobAckInfo> succeeded = new ArrayList<>();
  private List<PinLaterJobAckInfo> failed = new ArrayList<>();
  private Instant oldest = Instant.MAX;
  private boolean closed;

  AckBatcher(int maxBatch, Duration flushInterval, Clock clock) {
    this.maxBatch = maxBatch;
    this.flushInterval = flushInterval;
    this.clock = clock;
  }

  /** Buffers one ack. Returns false, keeping nothing, once {@link #close()}d. */
  synchronized boolean add(PinLaterJobAckInfo ack, boolean success) {
    if (closed) {
      return false;
    }
    (success ? succeeded : failed).add(ack);
    if (oldest.equals(Instant.MAX)) {
      oldest = clock.instant();
    }
    return true;
  }

  synchronized boolean isFull() {
    return size() >= maxBatch;
  }

  /** Non-empty, and full or holding an ack older than the flush interval. */
  synchronized boolean isDue() {
    if (size() == 0) {
      return false;
    }
    return isFull() || !clock.instant().isBefore(oldest.plus(flushInterval));
  }

  /** Takes every buffered ack. */
  synchronized AckBatch drain() {
    if (size() == 0) {
      return AckBatch.EMPTY;
    }
    AckBatch batch = new AckBatch(succeeded, failed, oldest);
    succeeded = new ArrayList<>();
    failed = new ArrayList<>();
    oldest = Instant.MAX;
    return batch;
  }

  /** Returns acks whose send failed; they keep their age. Accepted even after {@link #close()}. */
  synchronized void putBack(AckBatch batch) {
    if (batch.isEmpty()) {
      return;
    }
    succeeded.addAll(batch.succeeded());
    failed.addAll(batch.failed());
    if (batch.oldest().isBefore(oldest)) {
      oldest = batch.oldest();
    }
  }

  /** From now on {@link #add} refuses acks: used when shutdown gives up on running jobs. */
  synchronized void close() {
    closed = true;
  }

  synchronized int size() {
    return succeeded.size() + failed.size();
  }
}
