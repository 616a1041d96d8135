package io.hourglass.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Takes {@link Snapshot}s of what a measurement window costs: CPU time of the server, of every
 * mariadbd and of this (load client) process, and MariaDB's {@code Questions} counter summed
 * over the shards, with the probe's own statements taken out.
 */
final class Meters implements AutoCloseable {
  /** Counters at one moment. {@code serverMicros} is 0 when no server is measured. */
  record Snapshot(long nanos, long serverMicros, long dbMicros, long clientMicros, long statements) {}

  /** What a window between two snapshots cost. */
  record Delta(double seconds, long serverMicros, long dbMicros, long clientMicros, long statements) {}

  private final List<ShardSet.Shard> shards;
  private final List<Connection> probes = new ArrayList<>();
  private final long probeStatements;
  private Long serverPid;
  private long probesTaken;

  Meters(List<ShardSet.Shard> shards) throws SQLException {
    this.shards = List.copyOf(shards);
    for (ShardSet.Shard s : shards) {
      probes.add(DriverManager.getConnection(s.jdbcUrl("mysql")));
    }
    // What one probe adds to Questions on each shard (the SHOW itself counts): measured, not assumed.
    // Smallest of three, in case something else ran a statement in between.
    long min = Long.MAX_VALUE;
    for (int i = 0; i < 3; i++) {
      long a = questions();
      min = Math.min(min, questions() - a);
    }
    probeStatements = min;
  }

  void measureServer(Long pid) {
    serverPid = pid;
  }

  Snapshot snapshot() throws SQLException {
    long q = questions() - probeStatements * ++probesTaken;
    long db = 0;
    for (ShardSet.Shard s : shards) {
      db += ProcCpu.micros(s.pid());
    }
    long server = serverPid == null ? 0 : ProcCpu.micros(serverPid);
    return new Snapshot(System.nanoTime(), server, db, ProcCpu.selfMicros(), q);
  }

  static Delta between(Snapshot a, Snapshot b) {
    return new Delta((b.nanos() - a.nanos()) / 1e9, b.serverMicros() - a.serverMicros(),
        b.dbMicros() - a.dbMicros(), b.clientMicros() - a.clientMicros(), b.statements() - a.statements());
  }

  private long questions() throws SQLException {
    long sum = 0;
    for (Connection c : probes) {
      try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SHOW GLOBAL STATUS LIKE 'Questions'")) {
        rs.next();
        sum += rs.getLong(2);
      }
    }
    return sum;
  }

  @Override
  public void close() throws SQLException {
    for (Connection c : probes) {
      c.close();
    }
  }
}
