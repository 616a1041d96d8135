package io.hourglass.server.queue;

import io.hourglass.server.queue.QueueException.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Spreads work over the shards: picks the shard for an enqueue, runs the priority-then-shard
 * fan-out of a dequeue, and routes acks and lookups by descriptor (through
 * {@link DescriptorRouter}). Per-shard storage work lives behind {@link QueueBackend}; this class
 * holds no SQL.
 */
public final class Coordinator {
  private static final Logger LOG = LoggerFactory.getLogger(Coordinator.class);

  private final Supplier<List<Shard>> shards;
  private final int priorityLevels;
  private final EmptySlotCache emptySlots;
  private final DescriptorRouter router;
  private final Function<QueueName, Duration> claimTimeout;
  private final EnqueueSpread spread = new EnqueueSpread();

  /**
   * Threads that run one dequeue's claims, so that the dequeue can stop waiting for a shard at
   * its deadline. Cached: a thread per claim in flight, which the claim gates and pool sizes bound.
   */
  private static final AtomicInteger CLAIM_THREADS = new AtomicInteger();
  private static final ExecutorService SHARD_CALLS = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "hourglass-claim-" + CLAIM_THREADS.incrementAndGet());
    t.setDaemon(true);
    return t;
  });

  /** A coordinator whose queues all have the default claim timeout (10 min). */
  public Coordinator(Supplier<List<Shard>> shards, int priorityLevels, EmptySlotCache emptySlots) {
    this(shards, priorityLevels, emptySlots, q -> DEFAULT_CLAIM_TIMEOUT);
  }

  static final Duration DEFAULT_CLAIM_TIMEOUT = Duration.ofMinutes(10);

  /**
   * @param shards the current shards; called once per request, so a reload swaps them live
   * @param claimTimeout each queue's claim timeout (read per dequeue, so a reload applies live)
   */
  public Coordinator(Supplier<List<Shard>> shards, int priorityLevels, EmptySlotCache emptySlots,
      Function<QueueName, Duration> claimTimeout) {
    this.shards = shards;
    this.priorityLevels = priorityLevels;
    this.emptySlots = emptySlots;
    this.router = new DescriptorRouter(shards, emptySlots);
    this.claimTimeout = claimTimeout;
  }

  /** Creates the queue on every shard; fails (retryably) if any shard could not be reached. */
  public void createQueue(QueueName queue) {
    forEveryShard(queue, "create queue", b -> b.createQueue(queue));
  }

  public void deleteQueue(QueueName queue) {
    forEveryShard(queue, "delete queue", b -> b.deleteQueue(queue));
    emptySlots.forgetQueue(queue);
  }

  private void forEveryShard(QueueName queue, String what, java.util.function.Consumer<QueueBackend> op) {
    QueueException failure = null;
    for (Shard shard : shards.get()) {
      try {
        op.accept(shard.backend());
      } catch (QueueException e) {
        LOG.warn("{} '{}' failed on shard {}: {}", what, queue, shard.id(), e.getMessage());
        failure = e;
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  /** The union of the queues of every shard that answers. */
  public Set<String> queueNames() {
    Set<String> names = new TreeSet<>();
    QueueException failure = null;
    boolean anyAnswered = false;
    for (Shard shard : shards.get()) {
      try {
        names.addAll(shard.backend().queueNames());
        anyAnswered = true;
      } catch (QueueException e) {
        failure = e;
      }
    }
    if (!anyAnswered && failure != null) {
      throw failure;
    }
    return names;
  }

  /** {@link #enqueueJobs}, descriptors only. */
  public List<JobDescriptor> enqueue(QueueName queue, List<NewJob> jobs) {
    return enqueueJobs(queue, jobs).stream().map(EnqueuedJob::descriptor).toList();
  }

  /**
   * Stores the jobs and says, per job, whether it was stored or an unfinished job already held
   * its unique key. Jobs without a key go, all together, to one of the healthy shards that take
   * enqueues, the one with the fewest of this server's enqueues in flight, ties at random
   * ({@link EnqueueSpread}; the next is tried when it cannot be reached or lacks the queue);
   * keyed jobs go to their key's shard (see {@link KeyedEnqueue}).
   */
  public List<EnqueuedJob> enqueueJobs(QueueName queue, List<NewJob> jobs) {
    if (KeyedEnqueue.anyKeyed(jobs)) {
      return KeyedEnqueue.enqueue(queue, jobs, shards.get(), emptySlots, this::storeAnywhere);
    }
    return storeAnywhere(queue, jobs);
  }

  private List<EnqueuedJob> storeAnywhere(QueueName queue, List<NewJob> jobs) {
    List<Shard> all = shards.get();
    List<Shard> candidates = new ArrayList<>();
    for (Shard s : rotated(all)) {
      if (s.takesEnqueues()) {
        candidates.add(s);
      }
    }
    if (candidates.isEmpty()) {
      throw new QueueException(Kind.NO_HEALTHY_SHARDS, "no healthy shard takes enqueues: " + describe(all));
    }
    QueueException failure = null;
    for (Shard shard : spread.order(candidates)) {
      try {
        List<EnqueuedJob> out = spread.run(shard, () -> shard.backend().enqueueJobs(queue, jobs));
        java.util.Map<Integer, Integer> perPriority = new java.util.HashMap<>();
        jobs.forEach(j -> perPriority.merge(j.priority(), 1, Integer::sum));
        perPriority.forEach((p, n) -> emptySlots.forget(queue, shard.id(), p, n));
        return out;
      } catch (QueueException e) {
        if (e.kind() != Kind.SHARD_CONNECTION_FAILED && e.kind() != Kind.QUEUE_NOT_FOUND) {
          throw e;
        }
        if (e.mayHaveRun()) {
          // The INSERT may be committed on this shard: another shard would store the jobs twice
          // (seen under kill -9 of a shard). The caller hears of the failure and decides.
          throw e;
        }
        LOG.warn("enqueue to shard {} failed, trying another: {}", shard.id(), e.getMessage());
        if (failure == null || e.kind() == Kind.SHARD_CONNECTION_FAILED) {
          failure = e; // a retryable failure says more than "not found" on one shard
        }
      }
    }
    throw failure;
  }

  /** The shards that answer; NO_HEALTHY_SHARDS when none does. */
  private static List<Shard> healthy(List<Shard> all) {
    List<Shard> up = new ArrayList<>(all.size());
    for (Shard s : all) {
      if (s.isUp()) {
        up.add(s);
      }
    }
    if (up.isEmpty() && !all.isEmpty()) {
      throw new QueueException(Kind.NO_HEALTHY_SHARDS, "no shard is healthy: " + describe(all));
    }
    return up;
  }

  private static String describe(List<Shard> all) {
    StringBuilder sb = new StringBuilder();
    for (Shard s : all) {
      sb.append(sb.length() == 0 ? "" : ", ").append("shard ").append(s.id()).append(' ')
          .append(!s.isUp() ? "down" : s.dequeueOnly() ? "draining" : s.takesEnqueues() ? "up" : "syncing queues");
    }
    return sb.toString();
  }

  /**
   * Claims up to {@code limit} jobs in strict priority order: every shard is asked for priority-1
   * jobs before any is asked for priority 2. The shard order is rotated per request so load
   * spreads. A shard that fails is skipped; only when no shard answered does the call fail. If
   * anything goes wrong after jobs were claimed, they are released before the error propagates.
   * The dequeue answers within its {@link DequeueDeadline} (half the queue's claim timeout) with
   * what it holds by then; a shard that had not answered has its claim released when it does.
   */
  public List<ClaimedJob> dequeue(DequeueRequest request) {
    List<Shard> order = covered(rotated(healthy(shards.get())), request.coverage());
    DequeueFanout fanout = new DequeueFanout(request, emptySlots,
        DequeueDeadline.forClaimTimeout(claimTimeout.apply(request.queue())), SHARD_CALLS,
        late -> release(request.queue(), request.claimant(), late));
    try {
      for (int priority = 1; priority <= priorityLevels && !fanout.done(); priority++) {
        for (Shard shard : order) {
          if (fanout.done()) {
            break;
          }
          fanout.ask(shard, priority);
        }
      }
    } catch (RuntimeException e) {
      if (!request.dryRun()) {
        release(request.queue(), request.claimant(), fanout.jobs());
      }
      throw e;
    }
    return fanout.result();
  }

  /** {@code jobs} FAILED jobs of the queue went back to PENDING (retry-failed): forget and signal. */
  public void retried(QueueName queue, int jobs) {
    if (jobs > 0) {
      emptySlots.forgetAll(queue, jobs);
    }
  }

  /**
   * The long-poll probe: asks every healthy shard, in one statement each, how many jobs of each
   * priority are runnable (capped at {@code demand}), and forgets (and signals) every slot that
   * has some, so waiting dequeues claim them; the slots without any are marked empty for
   * {@code emptyForMillis} (the probe looks again before then). Finds work other servers added. A
   * shard that fails or lacks the queue is skipped.
   */
  public void probeForWork(QueueName queue, int demand, long emptyForMillis) {
    for (Shard shard : healthy(shards.get())) {
      try {
        long[] epochs = new long[priorityLevels + 1];
        for (int p = 1; p <= priorityLevels; p++) {
          epochs[p] = emptySlots.epoch(queue, shard.id(), p);
        }
        Map<Integer, Integer> runnable = shard.backend().runnableCounts(queue, priorityLevels, demand);
        for (int p = 1; p <= priorityLevels; p++) {
          Integer n = runnable.get(p);
          if (n != null) {
            emptySlots.forget(queue, shard.id(), p, n);
          } else {
            emptySlots.markEmptyFor(queue, shard.id(), p, epochs[p], emptyForMillis);
          }
        }
      } catch (QueueException e) {
        LOG.debug("long-poll probe of shard {} failed: {}", shard.id(), e.getMessage());
      }
    }
  }

  /**
   * Checkpoints jobs claimed by {@code claimant}, shard by shard. Returns how many changed;
   * jobs not IN_PROGRESS or claimed by someone else are left alone.
   */
  public int checkpoint(QueueName queue, String claimant, List<Checkpoint> checkpoints) {
    return router.checkpoint(queue, claimant, checkpoints);
  }

  /** Puts jobs claimed by {@code claimant} back (used when they could not be handed to it). */
  public void release(QueueName queue, String claimant, List<ClaimedJob> jobs) {
    router.release(queue, claimant, jobs);
  }

  /**
   * Applies acks of jobs claimed by {@code claimant}, shard by shard. Every shard that can be
   * reached gets its acks even when another fails; the caller decides what a failure means
   * (a plain ack request fails so the client retries; a dequeue reports the unapplied acks and
   * goes on). Acks of jobs that already moved are no-ops, so resending is always safe.
   */
  public AckResult ack(QueueName queue, String claimant, List<Ack> succeeded, List<Ack> failed) {
    return router.ack(queue, claimant, succeeded, failed);
  }

  /** Looks jobs up by descriptor; unknown shards and missing jobs are left out. */
  public Map<JobDescriptor, JobInfo> lookup(List<JobDescriptor> descriptors, boolean includeBody) {
    return router.lookup(descriptors, includeBody);
  }

  /** The first ceil(coverage × n) shards, at least one. */
  private static List<Shard> covered(List<Shard> shards, double coverage) {
    int n = Math.max(1, (int) Math.ceil(coverage * shards.size()));
    return n >= shards.size() ? shards : shards.subList(0, n);
  }

  private static List<Shard> rotated(List<Shard> shards) {
    if (shards.size() < 2) {
      return shards;
    }
    int start = ThreadLocalRandom.current().nextInt(shards.size());
    List<Shard> out = new ArrayList<>(shards.size());
    for (int i = 0; i < shards.size(); i++) {
      out.add(shards.get((start + i) % shards.size()));
    }
    return out;
  }
}
