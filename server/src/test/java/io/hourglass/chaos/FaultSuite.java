package io.hourglass.chaos;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The fault suite: real server processes over real, durable MariaDB processes, load from
 * enqueuer and worker processes that log every acknowledged descriptor and every hand-out, and
 * one fault per trial (kill -9 a server, a shard's mariadbd or a worker; SIGSTOP a shard for
 * longer than the claim timeout). After each trial it drains the queue and checks that nothing
 * acknowledged was lost, stored twice or damaged, and that no job was handed out while a claim on
 * it was live.
 *
 * <pre>
 *   scripts/chaos [--long | --trials N] [--server-jar server/target/hourglass-server.jar] [--dir DIR]
 * </pre>
 * Exits 1 when any trial lost a job, stored one twice, damaged a body or delivered a job while a
 * claim on it was live; 2 when the suite itself could not run.
 */
public final class FaultSuite {
  private FaultSuite() {}

  /** Every trial's report, in order. */
  record Result(List<TrialReport> trials) {
    boolean failed() {
      return trials.stream().anyMatch(TrialReport::failed);
    }

    int total(java.util.function.ToIntFunction<TrialReport> f) {
      return trials.stream().mapToInt(f).sum();
    }
  }

  public static void main(String[] args) {
    SuitePlan plan = SuitePlan.shortRun();
    Path jar = null;
    Path dir = null;
    FaultKind only = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--short" -> plan = SuitePlan.shortRun();
        case "--long" -> plan = SuitePlan.longRun();
        case "--trials" -> plan = SuitePlan.longRun().withFaultsPerKind(Integer.parseInt(args[++i]));
        case "--server-jar" -> jar = Path.of(args[++i]);
        case "--dir" -> dir = Path.of(args[++i]);
        case "--only" -> only = FaultKind.valueOf(args[++i].toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
        default -> {
          System.err.println("usage: scripts/chaos [--short | --long | --trials N] [--only KIND] [--server-jar JAR]"
              + " [--dir DIR]; KIND is one of server-kill, one-of-two-servers-kill, shard-kill, worker-kill,"
              + " shard-freeze");
          System.exit(2);
        }
      }
    }
    if (only != null) {
      plan = plan.only(only);
    }
    try {
      Result r = run(plan, dir == null ? Files.createTempDirectory("hourglass-chaos-") : dir, jar, System.out);
      System.exit(r.failed() ? 1 : 0);
    } catch (IOException | RuntimeException e) {
      e.printStackTrace();
      System.exit(2);
    }
  }

  static Result run(SuitePlan plan, Path dir, Path serverJar, PrintStream out) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    out.printf("fault suite: %d trials (%d of each fault), %d durable shards, 2 servers, %d enqueuers + %d workers "
            + "per trial, claim timeout %d ms; logs in %s%n", plan.trials().size(), plan.faultsPerKind(),
        plan.shards(), plan.enqueuers(), plan.workers(), plan.claimTimeout().toMillis(), dir);
    List<TrialReport> reports = new ArrayList<>();
    Map<FaultKind, Integer> rotation = new EnumMap<>(FaultKind.class);
    long start = System.currentTimeMillis();
    try (ChaosCluster cluster = ChaosCluster.start(plan, dir, serverJar)) {
      out.printf("cluster up in %d ms%n", System.currentTimeMillis() - start);
      out.println(TrialReport.header());
      int n = 0;
      for (FaultKind kind : plan.trials()) {
        int r = rotation.merge(kind, 1, Integer::sum) - 1;
        TrialReport report = new Trial(++n, kind, r, plan, cluster).run();
        reports.add(report);
        out.println(report.row());
        report.problems().forEach(p -> out.println("      " + p));
        out.flush();
      }
    }
    Result result = new Result(reports);
    out.printf("%nran in %d s%n", (System.currentTimeMillis() - start) / 1000);
    printSummary(result, out);
    return result;
  }

  private static void printSummary(Result r, PrintStream out) {
    out.printf("%ntotal: %d jobs acknowledged, %d lost, %d stored twice, %d bodies damaged, "
            + "%d delivered twice after a claim timeout, %d delivered twice while a claim was live%n",
        r.total(TrialReport::acknowledged), r.total(TrialReport::lost), r.total(TrialReport::storedTwice),
        r.total(TrialReport::bodiesDamaged), r.total(TrialReport::twiceAfterTimeout),
        r.total(TrialReport::twiceWhileLive));
    out.println("recovery (ms from the fault, median / max): first enqueue and first dequeue sent after the fault that "
        + "succeeded; back: restarted server answering / shard healthy on every server's GET /shards (and staying so "
        + "for 2 s; a flap is a server taking it out of rotation again after it was first back)");
    for (FaultKind k : FaultKind.values()) {
      List<TrialReport> ts = r.trials().stream().filter(t -> t.kind() == k).toList();
      if (ts.isEmpty()) {
        continue;
      }
      out.printf("  %-22s x%-3d enqueue %s   dequeue %s%s%n", k.label, ts.size(),
          stats(ts.stream().mapToLong(TrialReport::firstEnqueueMs).toArray()),
          stats(ts.stream().mapToLong(TrialReport::firstDequeueMs).toArray()),
          k == FaultKind.WORKER_KILL ? ""
              : "   back " + stats(ts.stream().mapToLong(TrialReport::backMs).toArray())
              + " (after restart/SIGCONT " + stats(ts.stream().mapToLong(TrialReport::backAfterRepairMs).toArray()) + ")"
              + (ts.stream().mapToLong(TrialReport::flaps).sum() > 0
                  ? ", " + ts.stream().mapToLong(TrialReport::flaps).sum() + " flaps" : ""));
    }
    out.println("(*unacked: stored by an enqueueJobs call whose answer the client never got; allowed)");
    out.println(r.failed() ? "FAILED" : "PASSED");
  }

  private static String stats(long[] values) {
    if (java.util.Arrays.stream(values).anyMatch(v -> v < 0)) {
      return "never(" + java.util.Arrays.stream(values).filter(v -> v < 0).count() + ")";
    }
    long[] sorted = values.clone();
    java.util.Arrays.sort(sorted);
    return sorted[sorted.length / 2] + " / " + sorted[sorted.length - 1];
  }
}
