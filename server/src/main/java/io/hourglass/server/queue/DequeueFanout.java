package io.hourglass.server.queue;

import io.hourglass.server.queue.QueueException.Kind;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state of one dequeue's walk over (priority, shard) slots: the jobs claimed so far, the
 * shards to skip after they failed or lacked the queue, and whether any shard answered — which
 * decides, at the end, between an empty answer and an error.
 */
final class DequeueFanout {
  private static final Logger LOG = LoggerFactory.getLogger(DequeueFanout.class);

  private final DequeueRequest request;
  private final EmptySlotCache emptySlots;
  private final List<ClaimedJob> jobs = new ArrayList<>();
  private final Set<Integer> skip = new HashSet<>();
  private int missing;
  private boolean answered;
  private QueueException failure;

  DequeueFanout(DequeueRequest request, EmptySlotCache emptySlots) {
    this.request = request;
    this.emptySlots = emptySlots;
  }

  boolean full() {
    return jobs.size() >= request.limit();
  }

  List<ClaimedJob> jobs() {
    return jobs;
  }

  /** Asks one shard for jobs of one priority, unless it is skipped or known to be empty. */
  void ask(Shard shard, int priority) {
    QueueName queue = request.queue();
    if (skip.contains(shard.id())) {
      return;
    }
    if (!request.dryRun() && emptySlots.isEmpty(queue, shard.id(), priority)) {
      answered = true;
      return;
    }
    int remaining = request.limit() - jobs.size();
    ClaimRequest claim = new ClaimRequest(queue, priority, remaining, request.claimant());
    List<ClaimedJob> got;
    try {
      got = request.dryRun() ? shard.backend().peek(claim) : shard.backend().claim(claim);
    } catch (QueueException e) {
      skip.add(shard.id());
      if (e.kind() == Kind.QUEUE_NOT_FOUND) {
        missing++;
      } else {
        LOG.warn("dequeue from shard {} failed: {}", shard.id(), e.getMessage());
        failure = e;
      }
      return;
    }
    answered = true;
    if (got.size() < remaining && !request.dryRun()) {
      emptySlots.markEmpty(queue, shard.id(), priority);
    }
    jobs.addAll(got);
  }

  /**
   * The jobs, or — when nothing was claimed and no shard answered — the reason: the queue exists
   * nowhere, or the shards failed.
   */
  List<ClaimedJob> result() {
    if (jobs.isEmpty() && !answered) {
      if (missing > 0 && failure == null) {
        throw new QueueException(Kind.QUEUE_NOT_FOUND, "queueName: queue '" + request.queue() + "' does not exist");
      }
      if (failure != null) {
        throw failure;
      }
    }
    return jobs;
  }
}
