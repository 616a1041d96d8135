package io.hourglass.server.queue;

import io.hourglass.server.queue.QueueException.Kind;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state of one dequeue's walk over (priority, shard) slots: the jobs claimed so far, the
 * shards to skip after they failed or lacked the queue, and whether any shard answered — which
 * decides, at the end, between an empty answer and an error.
 *
 * <p>How is this designed, and why? A shard that hangs (frozen process, stalled disk) must not hold
 * the jobs already claimed on other shards past their claim timeout: the rescue would give them
 * to another worker while this dequeue still hands them out. So each claim runs on
 * {@code shardCalls} and is waited for only until the {@link DequeueDeadline}; at the deadline the
 * dequeue answers with what it holds, and the late shard's claim, whenever it answers, is
 * released (back to PENDING, attempt given back) instead of delivered.
 */
final class DequeueFanout {
  private static final Logger LOG = LoggerFactory.getLogger(DequeueFanout.class);

  private final DequeueRequest request;
  private final EmptySlotCache emptySlots;
  private final DequeueDeadline deadline;
  private final Executor shardCalls;
  private final Consumer<List<ClaimedJob>> releaseLate;
  private boolean timedOut;
  private final List<ClaimedJob> jobs = new ArrayList<>();
  private final Set<Integer> skip = new HashSet<>();
  private int missing;
  private boolean answered;
  private QueueException failure;

  DequeueFanout(DequeueRequest request, EmptySlotCache emptySlots, DequeueDeadline deadline, Executor shardCalls,
      Consumer<List<ClaimedJob>> releaseLate) {
    this.request = request;
    this.emptySlots = emptySlots;
    this.deadline = deadline;
    this.shardCalls = shardCalls;
    this.releaseLate = releaseLate;
  }

  /** Nothing more to ask: the limit is filled, a shard missed the deadline, or it is near. */
  boolean done() {
    return jobs.size() >= request.limit() || timedOut || deadline.near();
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
    long epoch = emptySlots.epoch(queue, shard.id(), priority);
    int remaining = request.limit() - jobs.size();
    ClaimRequest claim = new ClaimRequest(queue, priority, remaining, request.claimant());
    List<ClaimedJob> got;
    try {
      got = withinDeadline(shard, claim);
      if (got == null) {
        return;
      }
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
      emptySlots.markEmpty(queue, shard.id(), priority, epoch);
    }
    jobs.addAll(got);
  }

  /** The shard's answer, or null when it missed the deadline (its claim is then released late). */
  private List<ClaimedJob> withinDeadline(Shard shard, ClaimRequest claim) {
    QueueBackend backend = shard.backend();
    CompletableFuture<List<ClaimedJob>> call = CompletableFuture.supplyAsync(
        () -> request.dryRun() ? backend.peek(claim) : backend.claim(claim), shardCalls);
    try {
      return call.get(Math.max(0, deadline.remainingNanos()), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      timedOut = true;
      skip.add(shard.id());
      String message = "shard " + shard.id() + " did not answer within the dequeue's deadline of "
          + deadline.budgetMillis() + " ms (at most half the claim timeout of queue " + request.queue() + ")";
      LOG.warn("{}; answering with the {} jobs claimed so far", message, jobs.size());
      failure = failure == null ? new QueueException(Kind.SHARD_CONNECTION_FAILED, message) : failure;
      if (!request.dryRun()) {
        call.thenAccept(late -> {
          if (!late.isEmpty()) {
            LOG.info("shard {} answered after the deadline; releasing its {} claimed jobs", shard.id(), late.size());
            releaseLate.accept(late);
          }
        });
      }
      return null;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new QueueException(Kind.INTERNAL, "claim on shard " + shard.id() + " failed: " + e.getCause(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new QueueException(Kind.INTERNAL, "interrupted waiting for shard " + shard.id());
    }
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
