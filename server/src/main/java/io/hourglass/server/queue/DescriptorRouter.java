package io.hourglass.server.queue;

import io.hourglass.server.queue.QueueException.Kind;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes work on jobs that already have a descriptor (checkpoints, releases, acks, lookups) to
 * the shard the descriptor names, and tells the {@link EmptySlotCache} which slots may have
 * jobs again. The {@code Coordinator}'s half that needs no fan-out.
 */
final class DescriptorRouter {
  private static final Logger LOG = LoggerFactory.getLogger(DescriptorRouter.class);

  private final Supplier<List<Shard>> shards;
  private final EmptySlotCache emptySlots;

  DescriptorRouter(Supplier<List<Shard>> shards, EmptySlotCache emptySlots) {
    this.shards = shards;
    this.emptySlots = emptySlots;
  }

  /** See {@code Coordinator#checkpoint}. */
  int checkpoint(QueueName queue, String claimant, List<Checkpoint> checkpoints) {
    Map<Integer, List<Checkpoint>> byShard = new HashMap<>();
    for (Checkpoint c : checkpoints) {
      byShard.computeIfAbsent(c.descriptor().shardId(), k -> new ArrayList<>()).add(c);
    }
    Map<Integer, Shard> index = index();
    int changed = 0;
    QueueException failure = null;
    for (Map.Entry<Integer, List<Checkpoint>> e : byShard.entrySet()) {
      Shard shard = index.get(e.getKey());
      if (shard == null) {
        continue;
      }
      try {
        changed += shard.backend().checkpoint(queue, claimant, e.getValue());
        forgetSlots(queue, shard.id(), e.getValue().stream().filter(Checkpoint::moveToPending)
            .map(Checkpoint::descriptor).toList());
      } catch (QueueException ex) {
        failure = ex;
      }
    }
    if (failure != null) {
      throw failure;
    }
    return changed;
  }

  /** See {@code Coordinator#release}; a shard that fails keeps its claims until they time out. */
  void release(QueueName queue, String claimant, List<ClaimedJob> jobs) {
    Map<Integer, List<JobDescriptor>> byShard = new HashMap<>();
    for (ClaimedJob j : jobs) {
      byShard.computeIfAbsent(j.descriptor().shardId(), k -> new ArrayList<>()).add(j.descriptor());
    }
    Map<Integer, Shard> index = index();
    byShard.forEach((shardId, descriptors) -> {
      Shard shard = index.get(shardId);
      try {
        if (shard != null) {
          shard.backend().releaseClaims(queue, claimant, descriptors);
          forgetSlots(queue, shardId, descriptors);
        }
      } catch (QueueException e) {
        LOG.error("could not release {} claimed jobs on shard {}; the claim timeout will return them: {}",
            descriptors.size(), shardId, e.getMessage());
      }
    });
  }

  /** See {@code Coordinator#ack}: every shard that can be reached gets its acks even when another fails. */
  AckResult ack(QueueName queue, String claimant, List<Ack> succeeded, List<Ack> failed) {
    Map<Integer, Shard> index = index();
    Map<Integer, List<Ack>> ok = byShard(succeeded);
    Map<Integer, List<Ack>> bad = byShard(failed);
    Set<Integer> shardIds = new TreeSet<>(ok.keySet());
    shardIds.addAll(bad.keySet());
    int movedOk = 0;
    int movedBad = 0;
    List<Ack> unapplied = new ArrayList<>();
    QueueException failure = null;
    for (int shardId : shardIds) {
      Shard shard = index.get(shardId);
      if (shard == null) {
        LOG.warn("ignoring acks for unknown shard {} in queue {}", shardId, queue);
        continue;
      }
      try {
        movedOk += shard.backend().ackSucceeded(queue, claimant, ok.getOrDefault(shardId, List.of()));
        List<Ack> b = bad.getOrDefault(shardId, List.of());
        movedBad += shard.backend().ackFailed(queue, claimant, b);
        forgetSlots(queue, shardId, b.stream().map(Ack::descriptor).toList());
      } catch (QueueException e) {
        LOG.warn("acks on shard {} failed: {}", shardId, e.getMessage());
        unapplied.addAll(ok.getOrDefault(shardId, List.of()));
        unapplied.addAll(bad.getOrDefault(shardId, List.of()));
        failure = failure == null ? e : failure;
      }
    }
    return new AckResult(movedOk, movedBad, unapplied, failure);
  }

  /** See {@code Coordinator#lookup}. */
  Map<JobDescriptor, JobInfo> lookup(List<JobDescriptor> descriptors, boolean includeBody) {
    record Key(int shardId, QueueName queue) {}
    Map<Key, List<JobDescriptor>> groups = new LinkedHashMap<>();
    for (JobDescriptor d : descriptors) {
      groups.computeIfAbsent(new Key(d.shardId(), d.queue()), k -> new ArrayList<>()).add(d);
    }
    Map<Integer, Shard> index = index();
    Map<JobDescriptor, JobInfo> out = new LinkedHashMap<>();
    groups.forEach((key, ds) -> {
      Shard shard = index.get(key.shardId());
      if (shard == null) {
        return;
      }
      Map<Long, JobDescriptor> asked = new HashMap<>();
      ds.forEach(d -> asked.put(d.localId(), d));
      List<JobInfo> found;
      try {
        found = shard.backend().lookup(key.queue(), new ArrayList<>(asked.keySet()), includeBody);
      } catch (QueueException e) {
        if (e.kind() == Kind.QUEUE_NOT_FOUND) {
          return;
        }
        throw e;
      }
      for (JobInfo info : found) {
        out.put(asked.get(info.descriptor().localId()), info);
      }
    });
    return out;
  }

  private static Map<Integer, List<Ack>> byShard(List<Ack> acks) {
    Map<Integer, List<Ack>> m = new HashMap<>();
    for (Ack a : acks) {
      m.computeIfAbsent(a.descriptor().shardId(), k -> new ArrayList<>()).add(a);
    }
    return m;
  }

  private Map<Integer, Shard> index() {
    Map<Integer, Shard> m = new HashMap<>();
    for (Shard s : shards.get()) {
      m.put(s.id(), s);
    }
    return m;
  }

  /** Jobs that may be runnable again: their slots are forgotten, and waiters told how many per slot. */
  private void forgetSlots(QueueName queue, int shardId, List<JobDescriptor> jobs) {
    Map<Integer, Integer> perPriority = new HashMap<>();
    jobs.forEach(d -> perPriority.merge(d.priority(), 1, Integer::sum));
    perPriority.forEach((p, n) -> emptySlots.forget(queue, shardId, p, n));
  }
}
