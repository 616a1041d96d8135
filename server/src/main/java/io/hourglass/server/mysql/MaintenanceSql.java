package io.hourglass.server.mysql;

import io.hourglass.server.queue.Attempt;
import io.hourglass.server.queue.Expiry;
import io.hourglass.server.queue.JobState;
import io.hourglass.server.queue.QueueException;
import io.hourglass.server.queue.QueueName;
import io.hourglass.server.queue.RescueResult;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Maintenance statements of one shard: claim rescue, pruning, the unfinished-job census, and
 * the servers' heartbeat table.
 */
final class MaintenanceSql {
  /** Heartbeat rows of servers silent this long are deleted (crashed servers never leave). */
  private static final Duration FORGET_SERVERS_AFTER = Duration.ofHours(1);

  private final ShardSql sql;
  private final QueueRegistry queues;
  private final QueueTables tables;
  private volatile boolean serversTableReady;

  MaintenanceSql(ShardSql sql, QueueRegistry queues, QueueTables tables) {
    this.sql = sql;
    this.queues = queues;
    this.tables = tables;
  }

  RescueResult rescueExpiredClaims(QueueName queue, long claimedBeforeMillis, int limit) {
    sql.ensureSchema();
    tables.ensureCurrent(queue);
    long now = sql.nowMillis();
    return sql.run(queue, c -> {
      int failed = rescueStep(c, MySqlQueries.rescueToFailed(queue), now, claimedBeforeMillis, limit);
      int pending = rescueStep(c, MySqlQueries.rescueToPending(queue), now, claimedBeforeMillis, limit);
      return new RescueResult(pending, failed);
    });
  }

  private static int rescueStep(Connection c, String query, long now, long before, int limit) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(query)) {
      ps.setLong(1, now); // attempt entry: at
      ps.setString(2, Attempt.CLAIM_TIMED_OUT);
      ps.setLong(3, now);
      ps.setLong(4, before);
      ps.setInt(5, limit);
      return ps.executeUpdate();
    }
  }

  /** Any PENDING job of {@code queue} expired by {@code nowMillis}: one plain read, no lock. */
  boolean hasExpiredJobs(QueueName queue, long nowMillis) {
    sql.ensureSchema();
    tables.ensureCurrent(queue);
    return sql.run(queue, c -> anyExpired(c, queue, nowMillis));
  }

  private static boolean anyExpired(Connection c, QueueName queue, long nowMillis) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(MySqlQueries.anyExpired(queue))) {
      ps.setLong(1, nowMillis);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  /**
   * A plain read first (most cycles nothing has expired, and then the sweep costs this one
   * statement); then two steps in one short transaction: lock the expired rows (SKIP LOCKED),
   * then move each.
   */
  int expireJobs(QueueName queue, long nowMillis, int limit) {
    sql.ensureSchema();
    tables.ensureCurrent(queue);
    return sql.run(queue, c -> {
      if (!anyExpired(c, queue, nowMillis)) {
        return 0;
      }
      return ShardSql.inTransaction(c, tx -> {
        Map<Long, Long> expired = new LinkedHashMap<>();
        try (PreparedStatement ps = tx.prepareStatement(MySqlQueries.selectExpired(queue))) {
          ps.setLong(1, nowMillis);
          ps.setInt(2, limit);
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              expired.put(rs.getLong(1), rs.getLong(2));
            }
          }
        }
        int moved = 0;
        if (!expired.isEmpty()) {
          try (PreparedStatement ps = tx.prepareStatement(MySqlQueries.markExpired(queue))) {
            for (Map.Entry<Long, Long> e : expired.entrySet()) {
              ps.setLong(1, nowMillis);
              ps.setString(2, Expiry.status(e.getValue()));
              ps.setLong(3, e.getKey());
              ps.addBatch();
            }
            for (int n : ps.executeBatch()) {
              moved += Math.max(n, 0);
            }
          }
        }
        return moved;
      });
    });
  }

  int pruneFinished(QueueName queue, JobState state, long finishedBeforeMillis, int limit) {
    if (state != JobState.SUCCEEDED && state != JobState.FAILED) {
      throw new IllegalArgumentException("only final states are pruned, not " + state);
    }
    sql.ensureSchema();
    return sql.run(queue, c -> {
      try (PreparedStatement ps = c.prepareStatement(MySqlQueries.pruneFinished(queue))) {
        ps.setInt(1, state.code());
        ps.setLong(2, finishedBeforeMillis);
        ps.setInt(3, limit);
        return ps.executeUpdate();
      }
    });
  }

  Map<String, Long> unfinishedJobs() {
    Map<String, Long> out = new LinkedHashMap<>();
    for (String name : queues.queueNames()) {
      QueueName queue = QueueName.of(name);
      try {
        long n = sql.runAdmin(queue, c -> {
          try (Statement s = c.createStatement();
              ResultSet rs = s.executeQuery(MySqlQueries.countUnfinished(queue))) {
            rs.next();
            return rs.getLong(1);
          }
        });
        if (n > 0) {
          out.put(name, n);
        }
      } catch (QueueException e) {
        if (e.kind() != QueueException.Kind.QUEUE_NOT_FOUND) {
          throw e;
        }
      }
    }
    return out;
  }

  int heartbeat(String serverId, long nowMillis, long liveSinceMillis) {
    ensureServersTable();
    return sql.run(null, c -> {
      try (PreparedStatement ps = c.prepareStatement(MySqlQueries.HEARTBEAT)) {
        ps.setString(1, serverId);
        ps.setLong(2, nowMillis);
        ps.executeUpdate();
      }
      try (PreparedStatement ps = c.prepareStatement(MySqlQueries.FORGET_DEAD_SERVERS)) {
        ps.setLong(1, liveSinceMillis - FORGET_SERVERS_AFTER.toMillis());
        ps.executeUpdate();
      }
      try (PreparedStatement ps = c.prepareStatement(MySqlQueries.COUNT_LIVE_SERVERS)) {
        ps.setLong(1, liveSinceMillis);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          return rs.getInt(1);
        }
      }
    });
  }

  void leaveHeartbeat(String serverId) {
    ensureServersTable();
    sql.run(null, c -> {
      try (PreparedStatement ps = c.prepareStatement(MySqlQueries.LEAVE)) {
        ps.setString(1, serverId);
        return ps.executeUpdate();
      }
    });
  }

  private void ensureServersTable() {
    if (!serversTableReady) {
      sql.run(null, c -> {
        try (Statement s = c.createStatement()) {
          s.execute(MySqlQueries.CREATE_SERVERS);
        }
        return null;
      });
      serversTableReady = true;
    }
  }
}
