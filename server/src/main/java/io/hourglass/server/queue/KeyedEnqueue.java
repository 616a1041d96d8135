package io.hourglass.server.queue;

import io.hourglass.server.queue.QueueException.Kind;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * The enqueue of a batch that holds jobs with unique keys: each keyed job goes to the shard
 * its key hashes to ({@link KeyRouter}), the rest wherever un-keyed jobs go.
 *
 * <p>Keyed groups are stored first, shard by shard, and the un-keyed jobs last: if anything
 * fails half-way, what was stored is keyed, so the client's retry of the whole batch stores
 * each keyed job once and the un-keyed ones once. (A batch without keys stays one atomic
 * enqueue on one shard.) A key's shard that is down, or not yet holding every queue, fails the
 * enqueue with SHARD_CONNECTION_FAILED: storing the job elsewhere would break uniqueness.
 */
final class KeyedEnqueue {
  private KeyedEnqueue() {}

  static boolean anyKeyed(List<NewJob> jobs) {
    for (NewJob j : jobs) {
      if (j.uniqueKey() != null) {
        return true;
      }
    }
    return false;
  }

  /**
   * @param unkeyed stores jobs without keys (on any shard) and says what it did
   */
  static List<EnqueuedJob> enqueue(QueueName queue, List<NewJob> jobs, List<Shard> shards,
      EmptySlotCache emptySlots, BiFunction<QueueName, List<NewJob>, List<EnqueuedJob>> unkeyed) {
    Map<Shard, List<Integer>> byShard = new LinkedHashMap<>();
    List<Integer> rest = new ArrayList<>();
    for (int i = 0; i < jobs.size(); i++) {
      String key = jobs.get(i).uniqueKey();
      if (key == null) {
        rest.add(i);
        continue;
      }
      Shard shard = KeyRouter.shardFor(key, shards);
      if (shard == null) {
        throw new QueueException(Kind.NO_HEALTHY_SHARDS, "no shard takes enqueues (all are dequeueOnly)");
      }
      byShard.computeIfAbsent(shard, s -> new ArrayList<>()).add(i);
    }
    EnqueuedJob[] out = new EnqueuedJob[jobs.size()];
    for (Map.Entry<Shard, List<Integer>> e : byShard.entrySet()) {
      Shard shard = e.getKey();
      if (!shard.takesEnqueues()) {
        throw new QueueException(Kind.SHARD_CONNECTION_FAILED, "jobs[" + e.getValue().get(0) + "].uniqueKey: its shard "
            + shard.id() + " is " + (shard.isUp() ? "catching up on queues" : "down (" + shard.health().downReason() + ")")
            + "; keyed jobs are never stored elsewhere, retry later");
      }
      List<EnqueuedJob> got = shard.backend().enqueueJobs(queue, pick(jobs, e.getValue()));
      for (int k = 0; k < got.size(); k++) {
        out[e.getValue().get(k)] = got.get(k);
      }
      // Only jobs actually stored are new work; an existing holder was already counted.
      java.util.Map<Integer, Integer> perPriority = new java.util.HashMap<>();
      for (int k = 0; k < got.size(); k++) {
        if (!got.get(k).existing()) {
          perPriority.merge(jobs.get(e.getValue().get(k)).priority(), 1, Integer::sum);
        }
      }
      perPriority.forEach((p, n) -> emptySlots.forget(queue, shard.id(), p, n));
    }
    if (!rest.isEmpty()) {
      List<EnqueuedJob> got = unkeyed.apply(queue, pick(jobs, rest));
      for (int k = 0; k < got.size(); k++) {
        out[rest.get(k)] = got.get(k);
      }
    }
    return List.of(out);
  }

  private static List<NewJob> pick(List<NewJob> jobs, List<Integer> which) {
    List<NewJob> out = new ArrayList<>(which.size());
    which.forEach(i -> out.add(jobs.get(i)));
    return out;
  }
}
