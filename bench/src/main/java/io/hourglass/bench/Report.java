package io.hourglass.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.ToDoubleFunction;

/**
 * The end-of-run summary: the median over runs of every column of every (shards, scenario,
 * server build) cell, as a markdown table ready for the README, with the server/raw ratio and shard scaling.
 */
final class Report {
  static final String HEADER =
      "| shards | scenario | jobs/s | p50 ms | p99 ms | server µs/job | mariadbd µs/job | client µs/job | statements/job | server / raw |\n"
          + "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n";

  private Report() {}

  /** Median of the values that are numbers; NaN when there are none. The mean of the middle two for an even count. */
  static double median(List<Double> values) {
    double[] v = values.stream().mapToDouble(Double::doubleValue).filter(d -> !Double.isNaN(d)).sorted().toArray();
    if (v.length == 0) {
      return Double.NaN;
    }
    int mid = v.length / 2;
    return v.length % 2 == 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
  }

  /** The median cell of {@code scenario} of server build {@code server} ("" for raw) on {@code shards} shards, if it ran. */
  static Optional<CellResult> medianCell(List<CellResult> all, Scenario scenario, String server, int shards) {
    List<CellResult> runs = all.stream()
        .filter(c -> c.scenario() == scenario && c.shards() == shards && c.server().equals(scenario.raw() ? "" : server))
        .toList();
    if (runs.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new CellResult(scenario, runs.get(0).server(), shards, 0, med(runs, CellResult::jobsPerSecond),
        med(runs, CellResult::p50Millis), med(runs, CellResult::p99Millis), med(runs, CellResult::serverMicrosPerJob),
        med(runs, CellResult::dbMicrosPerJob), med(runs, CellResult::clientMicrosPerJob),
        med(runs, CellResult::statementsPerJob), runs.stream().mapToLong(CellResult::empties).sum(),
        runs.stream().mapToLong(CellResult::retries).sum()));
  }

  /**
   * One row per (shards, scenario, server build); raw rows once per shard count. With more than
   * one build, a server row's scenario names its build ("… [before]").
   */
  static String markdown(List<CellResult> all, List<Integer> shardCounts, List<String> servers) {
    StringBuilder out = new StringBuilder(HEADER);
    for (int shards : shardCounts) {
      for (Scenario s : Scenario.values()) {
        for (String server : s.raw() ? List.of("") : servers) {
          medianCell(all, s, server, shards).ifPresent(c -> {
            String ratio = s.reference().flatMap(r -> medianCell(all, r, "", shards))
                .map(r -> ratio(c.jobsPerSecond() / r.jobsPerSecond())).orElse("");
            String title = s.title() + (servers.size() > 1 && !s.raw() ? " [" + server + "]" : "");
            out.append("| %d | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n".formatted(shards, title,
                jobs(c.jobsPerSecond()), ms(c.p50Millis()), ms(c.p99Millis()), us(c.serverMicrosPerJob()),
                us(c.dbMicrosPerJob()), us(c.clientMicrosPerJob()), stmts(c.statementsPerJob()), ratio));
          });
        }
      }
    }
    return out.toString();
  }

  /** One line per scenario (and server build) run on more than one shard count: jobs/s on the most shards over the fewest. */
  static List<String> scaling(List<CellResult> all, List<Integer> shardCounts, List<String> servers) {
    List<String> lines = new ArrayList<>();
    if (shardCounts.size() < 2) {
      return lines;
    }
    int lo = shardCounts.stream().min(Integer::compare).orElseThrow();
    int hi = shardCounts.stream().max(Integer::compare).orElseThrow();
    for (Scenario s : Scenario.values()) {
      for (String server : s.raw() ? List.of("") : servers) {
        Optional<CellResult> a = medianCell(all, s, server, lo);
        Optional<CellResult> b = medianCell(all, s, server, hi);
        if (a.isPresent() && b.isPresent()) {
          String title = s.title() + (servers.size() > 1 && !s.raw() ? " [" + server + "]" : "");
          lines.add("%s: %d shards / %d shard%s = %s".formatted(title, hi, lo, lo == 1 ? "" : "s",
              ratio(b.get().jobsPerSecond() / a.get().jobsPerSecond())));
        }
      }
    }
    return lines;
  }

  /**
   * The CPU bound of each server row that has a raw reference: at its measured CPU per job
   * (server + mariadbd + load client), every core of the machine busy would move at most
   * {@code cores × 10^6 ÷ that} jobs/s. When the raw row runs near its own bound (the box is
   * full), a server row whose bound is below the raw row's measured jobs/s cannot reach 1.0×
   * on this machine whatever its latency: it does more CPU work per job than the machine has.
   */
  static List<String> ceilings(List<CellResult> all, List<Integer> shardCounts, List<String> servers, int cores) {
    List<String> lines = new ArrayList<>();
    for (int shards : shardCounts) {
      for (Scenario s : Scenario.values()) {
        Optional<CellResult> raw = s.reference().flatMap(r -> medianCell(all, r, "", shards));
        if (raw.isEmpty()) {
          continue;
        }
        CellResult r = raw.get();
        double rawBound = bound(cores, r.dbMicrosPerJob() + r.clientMicrosPerJob());
        for (String server : servers) {
          medianCell(all, s, server, shards).ifPresent(c -> {
            double perJob = c.serverMicrosPerJob() + c.dbMicrosPerJob() + c.clientMicrosPerJob();
            String title = s.title() + (servers.size() > 1 ? " [" + server + "]" : "");
            lines.add(("%d shard%s, %s: %s µs of CPU per job → at most %s jobs/s on %d cores = %s the raw row's %s"
                + " (the raw row: %s µs per job, at most %s, reached %.0f%% of it)").formatted(
                shards, shards == 1 ? "" : "s", title, us(perJob), jobs(bound(cores, perJob)), cores,
                ratio(bound(cores, perJob) / r.jobsPerSecond()), jobs(r.jobsPerSecond()),
                us(r.dbMicrosPerJob() + r.clientMicrosPerJob()), jobs(rawBound), 100 * r.jobsPerSecond() / rawBound));
          });
        }
      }
    }
    return lines;
  }

  private static double bound(int cores, double microsPerJob) {
    return cores * 1e6 / microsPerJob;
  }

  /** One row per server build and worker count (0 = the server's own background), medians over runs. */
  static String idleMarkdown(List<IdleResult> all, List<String> servers) {
    if (all.isEmpty()) {
      return "";
    }
    StringBuilder out = new StringBuilder(
        "| idle: long-polling workers, empty queue | shards | statements/s to MariaDB | server CPU % of a core | mariadbd CPU % | client CPU % | dequeue answers/s |\n"
            + "|---|---:|---:|---:|---:|---:|---:|\n");
    for (String server : servers) {
      all.stream().filter(r -> r.server().equals(server)).map(IdleResult::workers).distinct().sorted().forEach(workers -> {
        List<IdleResult> runs = all.stream().filter(r -> r.server().equals(server) && r.workers() == workers).toList();
        IdleResult first = runs.get(0);
        String who = (workers == 0 ? "no workers (the server's own statements)"
            : workers + " workers, waitMillis " + first.waitMillis()) + (servers.size() > 1 ? " [" + server + "]" : "");
        out.append("| %s | %d | %.1f | %.1f | %.1f | %.1f | %.1f |\n".formatted(who, first.shards(),
            medI(runs, IdleResult::statementsPerSecond), medI(runs, IdleResult::serverCpuPercent),
            medI(runs, IdleResult::dbCpuPercent), medI(runs, IdleResult::clientCpuPercent),
            medI(runs, IdleResult::rpcsPerSecond)));
      });
    }
    return out.toString();
  }

  private static double med(List<CellResult> runs, ToDoubleFunction<CellResult> f) {
    return median(runs.stream().map(f::applyAsDouble).toList());
  }

  private static double medI(List<IdleResult> runs, ToDoubleFunction<IdleResult> f) {
    return median(runs.stream().map(f::applyAsDouble).toList());
  }

  static String jobs(double v) {
    return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%,.0f", v);
  }

  static String ms(double v) {
    return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%.1f", v);
  }

  static String us(double v) {
    return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%.0f", v);
  }

  static String stmts(double v) {
    return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, v < 0.1 ? "%.3f" : "%.2f", v);
  }

  static String ratio(double v) {
    return Double.isNaN(v) || Double.isInfinite(v) ? "–" : String.format(Locale.ROOT, "%.2f×", v);
  }

  static List<Integer> parseCounts(String csv) {
    return Arrays.stream(csv.split(",")).map(String::trim).filter(s -> !s.isEmpty()).map(Integer::valueOf).toList();
  }
}
