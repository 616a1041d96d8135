package io.hourglass.bench;

/**
 * The idle cost: long-polling workers on an empty queue. CPU percentages are of one core.
 *
 * @param statementsPerSecond statements reaching MariaDB (all shards, probes excluded)
 * @param rpcsPerSecond       dequeue answers the workers received per second
 */
record IdleResult(String server, int shards, int run, int workers, int waitMillis, double statementsPerSecond, double serverCpuPercent,
    double dbCpuPercent, double clientCpuPercent, double rpcsPerSecond) {

  static IdleResult of(String server, int shards, int run, int workers, int waitMillis, CellRunner.Window w) {
    Meters.Delta d = w.cost();
    double micros = d.seconds() * 1e6;
    return new IdleResult(server, shards, run, workers, waitMillis, d.statements() / d.seconds(),
        100.0 * d.serverMicros() / micros, 100.0 * d.dbMicros() / micros, 100.0 * d.clientMicros() / micros,
        w.latencyMicros().getTotalCount() / d.seconds());
  }

  String line(int runs) {
    return "[%d shards, run %d/%d] %s: idle: %d workers long-polling (waitMillis %d): %.1f statements/s, server %.1f%% of a core, mariadbd %.1f%%, client %.1f%%, %.1f dequeue answers/s"
        .formatted(shards, run, runs, server, workers, waitMillis, statementsPerSecond, serverCpuPercent, dbCpuPercent,
            clientCpuPercent, rpcsPerSecond);
  }
}
