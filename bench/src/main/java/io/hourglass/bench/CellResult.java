package io.hourglass.bench;

import org.HdrHistogram.Histogram;

/**
 * One measured cell. Per-job costs divide the window's CPU time and statements by the jobs moved
 * in it; {@code serverMicrosPerJob} is NaN for raw cells (no server on the path).
 *
 * @param server  the label of the server build ({@link ServerJar}); empty for raw cells
 * @param empties answers that found no work in the window (a dequeue cell whose queue ran dry)
 * @param retries transactions run again after a deadlock (raw claim cells)
 */
record CellResult(Scenario scenario, String server, int shards, int run, double jobsPerSecond, double p50Millis, double p99Millis,
    double serverMicrosPerJob, double dbMicrosPerJob, double clientMicrosPerJob, double statementsPerJob,
    long empties, long retries) {

  static CellResult of(Scenario scenario, String server, int shards, int run, CellRunner.Window w) {
    double jobs = Math.max(1, w.jobs());
    Histogram h = w.latencyMicros();
    Meters.Delta d = w.cost();
    return new CellResult(scenario, scenario.raw() ? "" : server, shards, run, w.jobs() / d.seconds(),
        h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(50) / 1000.0,
        h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(99) / 1000.0,
        scenario.raw() ? Double.NaN : d.serverMicros() / jobs, d.dbMicros() / jobs, d.clientMicros() / jobs,
        d.statements() / jobs, w.empties(), w.retries());
  }

  String line(int runs) {
    return "[%d shard%s, run %d/%d] %s%-18s %s jobs/s  p50 %s ms  p99 %s ms  server %s µs/job  mariadbd %s µs/job  client %s µs/job  %s stmts/job%s"
        .formatted(shards, shards == 1 ? "" : "s", run, runs, server.isEmpty() ? "" : server + ": ", scenario.cliName(), Report.jobs(jobsPerSecond),
            Report.ms(p50Millis), Report.ms(p99Millis), Report.us(serverMicrosPerJob), Report.us(dbMicrosPerJob),
            Report.us(clientMicrosPerJob), Report.stmts(statementsPerJob),
            empties > 0 ? "  (" + empties + " empty answers: the queue ran dry; raise --dequeue-rate-guess)" : "")
        + (retries > 0 ? "  (" + retries + " deadlock retries)" : "");
  }
}
