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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
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
  private final KeysAndExpiries keysAndExpiries;
  private volatile boolean serversTableReady;

  MaintenanceSql(ShardSql sql, QueueRegistry queues, QueueTables tables, KeysAndExpiries keysAndExpiries) {
    this.sql = sql;
    this.queues = queues;
    this.tables = tables;
    this.keysAndExpiries = keysAndExpiries;
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

  /**
   * Any due expiry of {@code queue} whose job is not IN_PROGRESS: one plain read, no lock. True
   * also when the due expiries are only those of jobs that finished first, which the sweep
   * then deletes.
   */
  boolean hasExpiredJobs(QueueName queue, long nowMillis) {
    sql.ensureSchema();
    tables.ensureCurrent(queue);
    return sql.run(queue, c -> !dueExpiries(c, queue, nowMillis, 1).isEmpty());
  }

  /** Due expiries, soonest first: job id → its state code, or null when the job is gone. */
  private static Map<Long, Integer> dueExpiries(Connection c, QueueName queue, long nowMillis, int limit)
      throws SQLException {
    Map<Long, Integer> due = new LinkedHashMap<>();
    try (PreparedStatement ps = c.prepareStatement(MySqlQueries.dueExpiries(queue))) {
      ps.setLong(1, nowMillis);
      ps.setInt(2, limit);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          int state = rs.getInt(2);
          due.put(rs.getLong(1), rs.wasNull() ? null : state);
        }
      }
    }
    return due;
  }

  /**
   * Rounds of: read due expiries (a plain read; most cycles it finds none and the sweep costs
   * this one statement), then lock their jobs through the primary key in a short transaction,
   * move the PENDING ones to FAILED and delete the expiry rows of those and of jobs that finished
   * first. Rounds go on until {@code limit} jobs moved or no due expiry is left (a round that
   * only tidies rows of finished jobs moves none, and must not end the sweep).
   */
  int expireJobs(QueueName queue, long nowMillis, int limit) {
    sql.ensureSchema();
    tables.ensureCurrent(queue);
    return sql.run(queue, c -> {
      int moved = 0;
      while (moved < limit) {
        int asked = limit - moved;
        Map<Long, Integer> due = dueExpiries(c, queue, nowMillis, asked);
        List<Long> gone = new ArrayList<>();
        List<Long> present = new ArrayList<>();
        due.forEach((id, state) -> (state == null ? gone : present).add(id));
        keysAndExpiries.forgetExpiries(c, queue, gone); // autocommit: an id never comes back
        ExpiryRound round = present.isEmpty() ? new ExpiryRound(0, 0)
            : ShardSql.inTransaction(c, tx -> expireLocked(tx, queue, present, nowMillis));
        moved += round.moved();
        boolean moreDue = due.size() == asked;
        boolean progressed = gone.size() + round.forgotten() > 0; // else claims hold what is due right now
        if (!moreDue || !progressed) {
          break;
        }
      }
      return moved;
    });
  }

  private record ExpiryRound(int moved, int forgotten) {}

  private ExpiryRound expireLocked(Connection tx, QueueName queue, List<Long> ids, long nowMillis) throws SQLException {
    Map<Long, Long> expired = new LinkedHashMap<>(); // id -> expiry
    List<Long> forget = new ArrayList<>();
    try (PreparedStatement ps = tx.prepareStatement(MySqlQueries.lockForExpiry(queue, ids.size()))) {
      ShardSql.bindIds(ps, 1, ids);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          long id = rs.getLong(1);
          int state = rs.getInt(2);
          long expiresAt = rs.getLong(3);
          boolean noExpiry = rs.wasNull();
          if (state == JobState.PENDING.code() && !noExpiry && expiresAt <= nowMillis) {
            expired.put(id, expiresAt);
            forget.add(id);
          } else if (state != JobState.IN_PROGRESS.code() && (state != JobState.PENDING.code() || noExpiry)) {
            forget.add(id); // finished first (or its expiry is gone): the row is no longer needed
          }
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
    keysAndExpiries.forgetExpiries(tx, queue, forget);
    return new ExpiryRound(moved, forget.size());
  }

  /**
   * A plain read of the oldest ids, then, in a short transaction, those jobs locked through the
   * primary key with the conditions checked again, and deleted with their key and expiry rows.
   */
  int pruneFinished(QueueName queue, JobState state, long finishedBeforeMillis, int limit) {
    if (state != JobState.SUCCEEDED && state != JobState.FAILED) {
      throw new IllegalArgumentException("only final states are pruned, not " + state);
    }
    sql.ensureSchema();
    tables.ensureCurrent(queue);
    return sql.run(queue, c -> {
      List<Long> ids = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement(MySqlQueries.finishedBefore(queue))) {
        ps.setInt(1, state.code());
        ps.setLong(2, finishedBeforeMillis);
        ps.setInt(3, limit);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            ids.add(rs.getLong(1));
          }
        }
      }
      if (ids.isEmpty()) {
        return 0;
      }
      return ShardSql.inTransaction(c, tx -> {
        List<KeysAndExpiries.JobRow> rows;
        try (PreparedStatement ps = tx.prepareStatement(MySqlQueries.lockFinished(queue, ids.size()))) {
          ShardSql.bindIds(ps, 1, ids);
          ps.setInt(ids.size() + 1, state.code());
          ps.setLong(ids.size() + 2, finishedBeforeMillis);
          rows = KeysAndExpiries.JobRow.read(ps);
        }
        return keysAndExpiries.delete(tx, queue, rows);
      });
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
