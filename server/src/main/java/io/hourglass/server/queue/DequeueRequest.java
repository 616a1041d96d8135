package io.hourglass.server.queue;

/**
 * A validated dequeue: up to {@code limit} jobs for {@code claimant}.
 *
 * @param dryRun only look: return what would be claimed, claim nothing
 * @param coverage fraction (0, 1] of the shards to ask (at least one)
 */
public record DequeueRequest(QueueName queue, int limit, String claimant, boolean dryRun, double coverage) {
  public DequeueRequest(QueueName queue, int limit, String claimant) {
    this(queue, limit, claimant, false, 1.0);
  }
}
