package io.hourglass.server.queue;

import java.time.Clock;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Remembers, briefly, that a (queue, shard, priority) slot had nothing runnable, so a dequeue
 * skips it instead of spending a statement on it. Over half of the original's dequeues were empty
 * and each cost priorities × shards statements. Anything this server does that can make a slot
 * runnable (enqueue, failure ack, release, checkpoint to pending, retry-failed) forgets the slot at
 * once and tells {@link NewWork} (which wakes long-polling dequeues); work that other servers add
 * is seen after at most {@code ttlMillis}, or by the long-poll probe.
 *
 * <p>How is this designed, and why? A claim that finds a slot empty and an enqueue into that slot
 * can overlap: the claim's SELECT runs before the INSERT commits, the enqueue forgets the slot,
 * and then the claim marks it empty, hiding the new job for a whole TTL. So every slot has an
 * epoch that each forget bumps; a dequeue reads the epoch before it claims and marks the slot
 * empty only if the epoch is still the one it read.
 */
public final class EmptySlotCache {
  private record Slot(String queue, int shardId, int priority) {}

  /** {@code emptyUntil} 0: not known to be empty. */
  private record State(long epoch, long emptyUntil) {}

  private final Clock clock;
  private final long ttlMillis;
  private final NewWork onNewWork;
  private final ConcurrentHashMap<Slot, State> slots = new ConcurrentHashMap<>();

  public EmptySlotCache(Clock clock, long ttlMillis) {
    this(clock, ttlMillis, NewWork.NONE);
  }

  /** @param onNewWork told whenever this server may have made a slot of the queue runnable */
  public EmptySlotCache(Clock clock, long ttlMillis, NewWork onNewWork) {
    this.clock = clock;
    this.ttlMillis = ttlMillis;
    this.onNewWork = onNewWork;
  }

  public boolean isEmpty(QueueName queue, int shardId, int priority) {
    if (ttlMillis <= 0) {
      return false;
    }
    State s = slots.get(new Slot(queue.value(), shardId, priority));
    return s != null && clock.millis() < s.emptyUntil();
  }

  /** The slot's epoch now: read it before a claim, hand it to {@link #markEmpty} after. */
  public long epoch(QueueName queue, int shardId, int priority) {
    return slots.computeIfAbsent(new Slot(queue.value(), shardId, priority), k -> new State(0, 0)).epoch();
  }

  /** Marks the slot empty unless it was forgotten since {@code epochBeforeClaim} was read. */
  public void markEmpty(QueueName queue, int shardId, int priority, long epochBeforeClaim) {
    markEmptyFor(queue, shardId, priority, epochBeforeClaim, ttlMillis);
  }

  /**
   * As {@link #markEmpty}, for {@code millis} instead of the TTL: the long-poll probe, which looks
   * again within that time, keeps the slots it found empty marked between its runs, so the first
   * attempts of new long-poll dequeues cost nothing. Does nothing when the cache is disabled.
   */
  public void markEmptyFor(QueueName queue, int shardId, int priority, long epochBeforeClaim, long millis) {
    if (ttlMillis > 0) {
      long until = clock.millis() + Math.max(ttlMillis, millis);
      slots.computeIfPresent(new Slot(queue.value(), shardId, priority),
          (k, s) -> s.epoch() == epochBeforeClaim ? new State(s.epoch(), until) : s);
    }
  }

  /** Up to {@code jobs} jobs may have become runnable in the slot: forget it and signal. */
  public void forget(QueueName queue, int shardId, int priority, int jobs) {
    slots.compute(new Slot(queue.value(), shardId, priority),
        (k, s) -> new State(s == null ? 1 : s.epoch() + 1, 0));
    onNewWork.added(queue, jobs);
  }

  /** Up to {@code jobs} jobs of the queue, on any slot, may have become runnable (retry-failed). */
  public void forgetAll(QueueName queue, int jobs) {
    slots.replaceAll((k, s) -> k.queue().equals(queue.value()) ? new State(s.epoch() + 1, 0) : s);
    onNewWork.added(queue, jobs);
  }

  /** Drops every slot of a deleted queue. */
  public void forgetQueue(QueueName queue) {
    slots.keySet().removeIf(s -> s.queue().equals(queue.value()));
  }
}
