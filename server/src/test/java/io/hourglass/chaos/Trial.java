package io.hourglass.chaos;

import io.hourglass.chaos.Records.Acked;
import io.hourglass.chaos.Records.Delivery;
import io.hourglass.testing.LocalShards;
import io.hourglass.thrift.PinLaterGetJobCountRequest;
import io.hourglass.thrift.PinLaterJobState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongPredicate;

/**
 * One trial: a fresh queue, enqueuer and worker processes, one fault while they work, the
 * repair, then stop enqueueing, drain the queue and check everything that was acknowledged.
 */
final class Trial {
  private static final long PROGRESS_TIMEOUT_MS = 90_000;
  private static final long RECOVERY_TIMEOUT_MS = 60_000;
  private static final long DRAIN_TIMEOUT_MS = 120_000;
  private static final long STABLE_MS = 2_000;

  /**
   * What the fault hit, when, when the repair began (restart or SIGCONT issued), and when the
   * target served again (a restarted server answering on its admin port; a shard listed healthy
   * by every server); -1 where it does not apply.
   */
  private record Fault(String target, long at, long repairedAt, long backAt, long flaps) {
    Fault(String target, long at, long repairedAt, long backAt) {
      this(target, at, repairedAt, backAt, 0);
    }
  }

  private final int number;
  private final FaultKind kind;
  private final int rotation;
  private final SuitePlan plan;
  private final ChaosCluster cluster;
  private java.io.BufferedWriter timeline;

  Trial(int number, FaultKind kind, int rotation, SuitePlan plan, ChaosCluster cluster) {
    this.number = number;
    this.kind = kind;
    this.rotation = rotation;
    this.plan = plan;
    this.cluster = cluster;
  }

  TrialReport run() {
    String queue = "chaos_" + number;
    Path dir = cluster.dir().resolve("trial" + number);
    try {
      Files.createDirectories(dir);
      timeline = Files.newBufferedWriter(dir.resolve("timeline.txt"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    mark("start");
    cluster.client().createQueue(queue);
    mark("queue created");
    // Against the only server, a server kill is an outage; against two, clients fail over.
    List<ServerProcess> servers = kind == FaultKind.SERVER_KILL ? cluster.servers().subList(0, 1) : cluster.servers();
    LoadProcesses load = new LoadProcesses(dir, queue, cluster.addresses(servers));
    try {
      for (int i = 0; i < plan.enqueuers(); i++) {
        load.startEnqueuer();
      }
      for (int i = 0; i < plan.workers(); i++) {
        load.startWorker();
      }
      awaitRecords(load, t -> true, PROGRESS_TIMEOUT_MS, "the load processes made no progress within 90 s; see " + dir);
      mark("load running");
      Pause.sleep(plan.warmUp().toMillis());
      Fault fault = inject(load);
      mark("fault " + kind + " on " + fault.target() + " injected and repaired");
      awaitRecords(load, t -> t >= fault.at(), RECOVERY_TIMEOUT_MS, null);
      mark("enqueue and dequeue recovered");
      Pause.sleep(plan.afterRecovery().toMillis());
      load.stopEnqueuers();
      mark("enqueuers stopped");
      drain(queue);
      mark("drained");
      load.stopWorkers();
      mark("workers stopped");
      TrialReport report = report(load, fault);
      mark("checked");
      return report;
    } finally {
      load.killAll();
      try {
        timeline.close();
      } catch (IOException ignored) {
        // only a diagnostic file
      }
    }
  }

  /** Appends a phase to the trial's timeline.txt (for reading a slow or failed trial afterwards). */
  private void mark(String phase) {
    try {
      timeline.write(System.currentTimeMillis() + " " + phase);
      timeline.newLine();
      timeline.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Fault inject(LoadProcesses load) {
    long at = System.currentTimeMillis();
    switch (kind) {
      case SERVER_KILL, ONE_OF_TWO_SERVERS_KILL -> {
        ServerProcess s = cluster.servers().get(kind == FaultKind.SERVER_KILL ? 0 : rotation % 2);
        s.kill9();
        Pause.sleep(plan.downTime().toMillis());
        long repaired = System.currentTimeMillis();
        s.start();
        return new Fault(s.name(), at, repaired, System.currentTimeMillis());
      }
      case WORKER_KILL -> {
        String killed = load.killOneWorker();
        load.startWorker();
        return new Fault(killed, at, -1, -1);
      }
      case SHARD_KILL, SHARD_FREEZE -> {
        LocalShards shards = cluster.shards();
        int shard = 1 + rotation % plan.shards();
        if (kind == FaultKind.SHARD_KILL) {
          shards.kill(shard);
          Pause.sleep(plan.downTime().toMillis());
        } else {
          shards.freeze(shard);
          Pause.sleep(plan.freeze().toMillis());
        }
        long repaired = System.currentTimeMillis();
        if (kind == FaultKind.SHARD_KILL) {
          shards.start(shard);  // on its data dir; returns once mariadbd answers
        } else {
          shards.thaw(shard);
        }
        return awaitShardBack(shard, at, repaired);
      }
      default -> throw new IllegalStateException("unknown fault " + kind);
    }
  }

  /**
   * Waits until every server lists the shard healthy and has kept it so for {@link
   * #STABLE_MS}: right after a restart a shard may go back in rotation and drop out again
   * (flaps, counted from the servers' {@code downs}).
   */
  private Fault awaitShardBack(int shard, long at, long repaired) {
    long until = repaired + RECOVERY_TIMEOUT_MS;
    long healthySince = -1;
    long firstDowns = -1;
    long downsSince = -1;
    while (System.currentTimeMillis() < until) {
      long now = System.currentTimeMillis();
      long downs = cluster.shardDownsIfHealthyEverywhere(shard);
      if (downs < 0) {
        healthySince = -1;
      } else {
        if (firstDowns < 0) {
          firstDowns = downs;
        }
        if (healthySince < 0 || downs != downsSince) {
          healthySince = now;
          downsSince = downs;
        }
        if (now - healthySince >= STABLE_MS) {
          return new Fault("shard" + shard, at, repaired, healthySince, downs - firstDowns);
        }
      }
      Pause.sleep(50);
    }
    return new Fault("shard" + shard, at, repaired, -1, firstDowns < 0 ? 0 : downsSince - firstDowns);
  }

  /**
   * Waits until some enqueue and some dequeue sent at a time {@code sent} accepts have
   * succeeded; fails with {@code failure} if given, else just returns at the timeout.
   */
  private void awaitRecords(LoadProcesses load, LongPredicate sent, long timeoutMs, String failure) {
    long until = System.currentTimeMillis() + timeoutMs;
    while (System.currentTimeMillis() < until) {
      boolean enq = false;
      boolean deq = false;
      for (Object r : load.records()) {
        enq |= r instanceof Acked a && sent.test(a.sentMs());
        deq |= r instanceof Delivery d && sent.test(d.sentMs());
      }
      if (enq && deq) {
        return;
      }
      if (load.anyEnqueuerDied()) {
        throw new IllegalStateException("an enqueuer exited; see its .out file in " + cluster.dir());
      }
      Pause.sleep(200);
    }
    if (failure != null) {
      throw new IllegalStateException(failure);
    }
  }

  /** Waits until no job of the queue is PENDING (now or later) or IN_PROGRESS. */
  private void drain(String queue) {
    long until = System.currentTimeMillis() + DRAIN_TIMEOUT_MS;
    long left = -1;
    while (System.currentTimeMillis() < until) {
      left = count(queue, PinLaterJobState.PENDING, false) + count(queue, PinLaterJobState.PENDING, true)
          + count(queue, PinLaterJobState.IN_PROGRESS, false);
      if (left == 0) {
        return;
      }
      Pause.sleep(250);
    }
    System.out.println("trial " + number + ": queue " + queue + " not drained after " + DRAIN_TIMEOUT_MS
        + " ms, " + left + " jobs left (they will count as lost)");
  }

  private long count(String queue, PinLaterJobState state, boolean future) {
    return cluster.client().getJobCount(new PinLaterGetJobCountRequest(queue, state).setCountFutureJobs(future));
  }

  private TrialReport report(LoadProcesses load, Fault fault) {
    List<Acked> acked = new ArrayList<>();
    List<Delivery> deliveries = new ArrayList<>();
    for (Object r : load.records()) {
      if (r instanceof Acked a) {
        acked.add(a);
      } else if (r instanceof Delivery d) {
        deliveries.add(d);
      }
    }
    TrialCheck.Findings f = new TrialCheck(cluster.client(), new DuplicateClassifier(plan.claimTimeout()))
        .check(acked, deliveries);
    long firstEnqueue = acked.stream().filter(a -> a.sentMs() >= fault.at()).mapToLong(Acked::ackedMs).min().orElse(-1);
    long firstDequeue = deliveries.stream().filter(d -> d.sentMs() >= fault.at()).mapToLong(Delivery::receivedMs).min().orElse(-1);
    return new TrialReport(number, kind, fault.target(), f.acknowledged(), f.lost(), f.storedTwice(),
        f.bodiesDamaged(), f.storedUnacknowledged(), f.twiceAfterTimeout(), f.twiceWhileLive(),
        since(firstEnqueue, fault.at()), since(firstDequeue, fault.at()), since(fault.backAt(), fault.at()),
        fault.backAt() < 0 ? -1 : fault.backAt() - fault.repairedAt(), fault.flaps(), f.problems());
  }

  private static long since(long t, long from) {
    return t < 0 ? -1 : t - from;
  }
}
