package io.hourglass.server.metrics;

/** Per-queue job counters; the names below {@code hourglass.queue.}. */
public enum JobCounter {
  ENQUEUED("enqueued"), DEQUEUED("dequeued"), ACKED_SUCCEEDED("acked.succeeded"), ACKED_FAILED("acked.failed"),
  ACKED_IGNORED("acked.ignored"), CHECKPOINTED("checkpointed"), CHECKPOINT_IGNORED("checkpoint.ignored"),
  RESCUED_PENDING("rescued.pending"), RESCUED_FAILED("rescued.failed"), GC_DELETED("gc.deleted"),
  EXPIRED("expired"), SCHEDULED("scheduled");

  final String suffix;

  JobCounter(String suffix) {
    this.suffix = suffix;
  }
}
