package io.hourglass.server.queue;

/**
 * A shard as the coordinator sees it: storage, whether it takes new jobs (not when draining) and
 * its health, which is live (shared with the backend and the prober).
 */
public record Shard(QueueBackend backend, boolean dequeueOnly, ShardHealth health) {
  /** A shard that is always considered up and complete (for backends without health checks). */
  public Shard(QueueBackend backend, boolean dequeueOnly) {
    this(backend, dequeueOnly, new ShardHealth(backend.shardId(), true));
  }

  public int id() {
    return backend.shardId();
  }

  public boolean isUp() {
    return health.isUp();
  }

  /** Gets new jobs: not draining, answering, and holding every queue. */
  public boolean takesEnqueues() {
    return !dequeueOnly && health.readyForEnqueues();
  }
}
