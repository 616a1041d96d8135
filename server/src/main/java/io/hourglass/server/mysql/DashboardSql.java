package io.hourglass.server.mysql;

import io.hourglass.server.queue.DashboardStore;
import io.hourglass.server.queue.JobState;
import io.hourglass.server.queue.QueueName;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;

/** {@link DashboardStore} on one shard: the tables hourglass_queue_counts and hourglass_queue_pauses. */
final class DashboardSql implements DashboardStore {
  private final ShardSql sql;
  private final QueueTables tables;
  private final KeysAndExpiries keysAndExpiries;
  private volatile boolean tablesReady;

  DashboardSql(ShardSql sql, QueueTables tables, KeysAndExpiries keysAndExpiries) {
    this.sql = sql;
    this.tables = tables;
    this.keysAndExpiries = keysAndExpiries;
  }

  private void ensureTables() {
    if (tablesReady) {
      return;
    }
    sql.ensureSchema();
    sql.run(null, c -> {
      try (Statement s = c.createStatement()) {
        s.execute(MySqlQueries.CREATE_QUEUE_COUNTS);
        s.execute(MySqlQueries.CREATE_QUEUE_PAUSES);
        s.execute(MySqlQueries.CREATE_MAINTENANCE_RUNS);
        s.execute(MySqlQueries.CREATE_SERVERS);
      }
      return null;
    });
    tablesReady = true;
  }

  @Override
  public List<CountRow> refreshCounts(QueueName queue, long nowMillis) {
    ensureTables();
    List<CountRow> rows = sql.run(queue, c -> count(c, queue, nowMillis));
    sql.run(queue, c -> {
      c.setAutoCommit(false);
      try {
        try (PreparedStatement ps = c.prepareStatement(MySqlQueries.DELETE_QUEUE_COUNTS)) {
          ps.setString(1, queue.value());
          ps.executeUpdate();
        }
        if (!rows.isEmpty()) {
          try (PreparedStatement ps = c.prepareStatement(MySqlQueries.INSERT_QUEUE_COUNT)) {
            for (CountRow r : rows) {
              bindCount(ps, r);
              ps.addBatch();
            }
            ps.executeBatch();
          }
        }
        c.commit();
      } catch (SQLException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
      return null;
    });
    return rows;
  }

  private List<CountRow> count(Connection c, QueueName queue, long now) throws SQLException {
    Long oldestClaim;
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(MySqlQueries.oldestClaim(queue))) {
      rs.next();
      oldestClaim = nullableLong(rs, 1);
    }
    List<CountRow> rows = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(MySqlQueries.countByStatePriority(queue))) {
      ps.setLong(1, now);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          JobState state = JobState.fromCode(rs.getInt(1));
          rows.add(new CountRow(queue.value(), sql.shardId(), state, rs.getInt(2), rs.getLong(3),
              state == JobState.PENDING ? rs.getLong(4) : 0, nullableLong(rs, 5),
              state == JobState.IN_PROGRESS ? oldestClaim : null, now));
        }
      }
    }
    return rows;
  }

  private static void bindCount(PreparedStatement ps, CountRow r) throws SQLException {
    ps.setString(1, r.queue());
    ps.setInt(2, r.state().code());
    ps.setInt(3, r.priority());
    ps.setLong(4, r.jobs());
    ps.setLong(5, r.futureJobs());
    setNullable(ps, 6, r.oldestRunAfterMillis());
    setNullable(ps, 7, r.oldestClaimMillis());
    ps.setLong(8, r.countedAtMillis());
  }

  @Override
  public List<CountRow> storedCounts() {
    ensureTables();
    return sql.run(null, c -> {
      List<CountRow> rows = new ArrayList<>();
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(MySqlQueries.STORED_COUNTS)) {
        while (rs.next()) {
          rows.add(new CountRow(rs.getString(1), sql.shardId(), JobState.fromCode(rs.getInt(2)), rs.getInt(3),
              rs.getLong(4), rs.getLong(5), nullableLong(rs, 6), nullableLong(rs, 7), rs.getLong(8)));
        }
      }
      return rows;
    });
  }

  @Override
  public void storePause(QueueName queue, boolean paused, long nowMillis, String changedBy) {
    ensureTables();
    sql.run(queue, c -> {
      try (PreparedStatement ps = c.prepareStatement(MySqlQueries.STORE_PAUSE)) {
        ps.setString(1, queue.value());
        ps.setInt(2, paused ? 1 : 0);
        ps.setLong(3, nowMillis);
        ps.setString(4, changedBy);
        return ps.executeUpdate();
      }
    });
  }

  @Override
  public List<Pause> pauses() {
    ensureTables();
    return sql.run(null, c -> {
      List<Pause> out = new ArrayList<>();
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(MySqlQueries.LIST_PAUSES)) {
        while (rs.next()) {
          out.add(new Pause(rs.getString(1), rs.getInt(2) != 0, rs.getLong(3), rs.getString(4)));
        }
      }
      return out;
    });
  }

  @Override
  public List<MaintenanceRun> maintenanceRuns() {
    ensureTables();
    return sql.run(null, c -> {
      List<MaintenanceRun> out = new ArrayList<>();
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(MySqlQueries.LIST_MAINTENANCE_RUNS)) {
        while (rs.next()) {
          out.add(new MaintenanceRun(sql.shardId(), rs.getString(1), rs.getLong(2), rs.getString(3)));
        }
      }
      return out;
    });
  }

  @Override
  public List<ServerBeat> servers() {
    ensureTables();
    return sql.run(null, c -> {
      List<ServerBeat> out = new ArrayList<>();
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(MySqlQueries.LIST_SERVERS)) {
        while (rs.next()) {
          out.add(new ServerBeat(rs.getString(1), rs.getLong(2)));
        }
      }
      return out;
    });
  }

  @Override
  public int retryFailedJob(QueueName queue, long id, int attempts, long nowMillis) {
    tables.ensureCurrent(queue);
    return sql.run(queue, c -> ShardSql.inTransactionRetryingRaces(c, JobWriter.RACE_TRIES,
        tx -> keysAndExpiries.redrive(tx, queue, lockOne(tx, queue, MySqlQueries.REDRIVE_ONE, id), attempts, nowMillis,
            nowMillis)));
  }

  @Override
  public int deleteJob(QueueName queue, long id) {
    tables.ensureCurrent(queue);
    return sql.run(queue, c -> ShardSql.inTransaction(c,
        tx -> keysAndExpiries.delete(tx, queue, lockOne(tx, queue, MySqlQueries.DELETE_ONE, id))));
  }

  private static List<KeysAndExpiries.JobRow> lockOne(Connection tx, QueueName queue, String where, long id)
      throws SQLException {
    try (PreparedStatement ps = tx.prepareStatement(MySqlQueries.lockJobs(queue, where, false))) {
      ps.setLong(1, id);
      return KeysAndExpiries.JobRow.read(ps);
    }
  }

  private static Long nullableLong(ResultSet rs, int column) throws SQLException {
    long v = rs.getLong(column);
    return rs.wasNull() ? null : v;
  }

  private static void setNullable(PreparedStatement ps, int index, Long value) throws SQLException {
    if (value == null) {
      ps.setNull(index, Types.BIGINT);
    } else {
      ps.setLong(index, value);
    }
  }
}
