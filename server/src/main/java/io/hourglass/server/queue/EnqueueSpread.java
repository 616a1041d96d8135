package io.hourglass.server.queue;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Which shard an enqueue without keys tries first: the one with the fewest of this server's
 * enqueues in flight, ties broken at random.
 *
 * <p>How is this designed, and why? A shard chosen at random for each request lets concurrent
 * requests pile onto one shard while another idles: five clients on two shards land 4–1 or
 * 5–0 in 12 of 32 draws, and each shard commits its INSERTs one group-commit at a time. The
 * fewest-in-flight shard keeps them 3–2. With nothing in flight (a lone client) every shard
 * ties, so the choice stays random and jobs still spread evenly over time.
 */
final class EnqueueSpread {
  private final Map<Integer, AtomicInteger> inFlight = new ConcurrentHashMap<>();

  /** {@code rotated} (shards in a random rotation), least busy first; ties keep their order. */
  List<Shard> order(List<Shard> rotated) {
    if (rotated.size() < 2) {
      return rotated;
    }
    List<Shard> out = new ArrayList<>(rotated);
    out.sort(Comparator.comparingInt(s -> counter(s).get())); // a stable sort
    return out;
  }

  /** Runs {@code enqueue} on {@code shard}, counted as in flight there until it returns or throws. */
  <T> T run(Shard shard, Supplier<T> enqueue) {
    AtomicInteger n = counter(shard);
    n.incrementAndGet();
    try {
      return enqueue.get();
    } finally {
      n.decrementAndGet();
    }
  }

  private AtomicInteger counter(Shard shard) {
    return inFlight.computeIfAbsent(shard.id(), id -> new AtomicInteger());
  }
}
