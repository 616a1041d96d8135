package io.hourglass.server.mysql;

import io.hourglass.server.queue.JobDescriptor;
import io.hourglass.server.queue.QueueName;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Keeps a queue's keys and expiries tables in step with its jobs table, inside the caller's
 * transaction: who holds a unique key, and which jobs are to expire when.
 *
 * <p>How is this designed, and why? Unique keys and expiries were indexed virtual columns of the
 * jobs table, and every job paid for both indexes on insert, keyed or not: ~3 µs of shard CPU
 * per row each, a third of a 100-job enqueue's (README, "Results (2026-12-06 18:12 UTC)"). Here
 * only jobs that carry a key or an expiry write a row beside their own. Finishing a job writes
 * nothing here: a key row whose job has finished is stale and the key's next enqueue replaces
 * it; an expiry row of a finished job is deleted by the sweep once its time has come, or with
 * the job by GC. What must hold: every unfinished keyed job has its key's row, and every
 * unfinished job with an expiry has an expiry row. So whatever makes a job unfinished again (a
 * redrive) takes its key and expiry rows back, and whatever deletes jobs deletes their rows.
 */
final class KeysAndExpiries {
  /** A job as redrive, GC and delete see it: what rows beside it it may have. */
  record JobRow(long id, String uniqueKey, Long expiresAt) {
    /** The rows of {@link MySqlQueries#lockJobs} or {@link MySqlQueries#lockFinished}. */
    static List<JobRow> read(PreparedStatement ps) throws SQLException {
      List<JobRow> rows = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          long expiresAt = rs.getLong(3);
          Long expiry = rs.wasNull() ? null : expiresAt;
          rows.add(new JobRow(rs.getLong(1), rs.getString(2), expiry));
        }
      }
      return rows;
    }
  }

  private final int shardId;

  KeysAndExpiries(int shardId) {
    this.shardId = shardId;
  }

  /**
   * The unfinished holders of {@code keys}, by key. Locks the keys' rows until the transaction
   * ends and deletes the stale ones, so that the caller can give those keys new holders.
   */
  Map<String, JobDescriptor> holders(Connection tx, QueueName queue, Collection<String> keys) throws SQLException {
    if (keys.isEmpty()) {
      return Map.of();
    }
    Map<String, Long> rows = new LinkedHashMap<>();
    try (PreparedStatement ps = tx.prepareStatement(MySqlQueries.lockKeys(queue, keys.size()))) {
      bindStrings(ps, 1, keys);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          rows.put(rs.getString(1), rs.getLong(2));
        }
      }
    }
    if (rows.isEmpty()) {
      return Map.of();
    }
    Map<Long, Integer> unfinished = new HashMap<>(); // id -> priority
    try (PreparedStatement ps = tx.prepareStatement(MySqlQueries.unfinishedJobs(queue, rows.size()))) {
      ShardSql.bindIds(ps, 1, List.copyOf(rows.values()));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          unfinished.put(rs.getLong(1), rs.getInt(2));
        }
      }
    }
    Map<String, JobDescriptor> holders = new HashMap<>();
    List<String> stale = new ArrayList<>();
    rows.forEach((key, id) -> {
      Integer priority = unfinished.get(id);
      if (priority == null) {
        stale.add(key);
      } else {
        holders.put(key, new JobDescriptor(queue, shardId, priority, id));
      }
    });
    if (!stale.isEmpty()) {
      try (PreparedStatement ps = tx.prepareStatement(MySqlQueries.deleteKeys(queue, stale.size()))) {
        bindStrings(ps, 1, stale);
        ps.executeUpdate();
      }
    }
    return holders;
  }

  /**
   * Makes each job the holder of its key. Only for keys {@link #holders} found free in this
   * transaction: a key that had no row may have got one since, and then this fails with a
   * duplicate-key error (the caller rolls back and tries again).
   */
  void take(Connection tx, QueueName queue, Map<String, Long> jobByKey) throws SQLException {
    if (jobByKey.isEmpty()) {
      return;
    }
    try (PreparedStatement ps = tx.prepareStatement(MySqlQueries.insertKeys(queue, jobByKey.size()))) {
      int i = 1;
      for (Map.Entry<String, Long> e : jobByKey.entrySet()) {
        ps.setString(i++, e.getKey());
        ps.setLong(i++, e.getValue());
      }
      ps.executeUpdate();
    }
  }

  void addExpiries(Connection tx, QueueName queue, Map<Long, Long> expiryByJob) throws SQLException {
    if (expiryByJob.isEmpty()) {
      return;
    }
    try (PreparedStatement ps = tx.prepareStatement(MySqlQueries.insertExpiries(queue, expiryByJob.size()))) {
      int i = 1;
      for (Map.Entry<Long, Long> e : expiryByJob.entrySet()) {
        ps.setLong(i++, e.getKey());
        ps.setLong(i++, e.getValue());
      }
      ps.executeUpdate();
    }
  }

  /**
   * Redrive of locked FAILED jobs: PENDING again with {@code attempts} attempts at
   * {@code runAfter}, but for a keyed job whose key an unfinished job holds now (it stays
   * FAILED). Returns how many moved.
   */
  int redrive(Connection tx, QueueName queue, List<JobRow> failed, int attempts, long runAfter, long now)
      throws SQLException {
    List<Long> ids = redrivable(tx, queue, failed);
    if (ids.isEmpty()) {
      return 0;
    }
    try (PreparedStatement ps = tx.prepareStatement(MySqlQueries.redrive(queue, ids.size()))) {
      ps.setInt(1, attempts);
      ps.setInt(2, attempts);
      ps.setLong(3, runAfter);
      ps.setLong(4, now);
      ShardSql.bindIds(ps, 5, ids);
      return ps.executeUpdate();
    }
  }

  /** Deletes locked jobs with their key and expiry rows; returns how many. */
  int delete(Connection tx, QueueName queue, List<JobRow> rows) throws SQLException {
    if (rows.isEmpty()) {
      return 0;
    }
    forget(tx, queue, rows);
    try (PreparedStatement ps = tx.prepareStatement(MySqlQueries.deleteJobsById(queue, rows.size()))) {
      ShardSql.bindIds(ps, 1, rows.stream().map(JobRow::id).toList());
      return ps.executeUpdate();
    }
  }

  /**
   * Of these locked FAILED jobs, the ones a redrive may make PENDING: those without a key, and
   * of those with one, the first of each key no unfinished job holds. Takes their keys and puts
   * their expiries back.
   */
  private List<Long> redrivable(Connection tx, QueueName queue, List<JobRow> failed) throws SQLException {
    Set<String> keys = new HashSet<>();
    for (JobRow r : failed) {
      if (r.uniqueKey() != null) {
        keys.add(r.uniqueKey());
      }
    }
    Map<String, JobDescriptor> held = holders(tx, queue, keys);
    Map<String, Long> taking = new LinkedHashMap<>();
    Map<Long, Long> expiries = new LinkedHashMap<>();
    List<Long> ids = new ArrayList<>();
    for (JobRow r : failed) {
      if (r.uniqueKey() != null && (held.containsKey(r.uniqueKey()) || taking.putIfAbsent(r.uniqueKey(), r.id()) != null)) {
        continue;
      }
      ids.add(r.id());
      if (r.expiresAt() != null) {
        expiries.put(r.id(), r.expiresAt());
      }
    }
    take(tx, queue, taking);
    addExpiries(tx, queue, expiries);
    return ids;
  }

  /** The key and expiry rows of locked jobs about to be deleted. */
  private void forget(Connection tx, QueueName queue, List<JobRow> deleted) throws SQLException {
    List<String> keys = deleted.stream().map(JobRow::uniqueKey).filter(Objects::nonNull).distinct().toList();
    if (!keys.isEmpty()) {
      List<Long> keyed = deleted.stream().filter(r -> r.uniqueKey() != null).map(JobRow::id).toList();
      try (PreparedStatement ps = tx.prepareStatement(MySqlQueries.forgetKeys(queue, keys.size(), keyed.size()))) {
        bindStrings(ps, 1, keys);
        ShardSql.bindIds(ps, 1 + keys.size(), keyed);
        ps.executeUpdate();
      }
    }
    List<Long> expiring = deleted.stream().filter(r -> r.expiresAt() != null).map(JobRow::id).toList();
    forgetExpiries(tx, queue, expiring);
  }

  void forgetExpiries(Connection c, QueueName queue, List<Long> ids) throws SQLException {
    if (ids.isEmpty()) {
      return;
    }
    try (PreparedStatement ps = c.prepareStatement(MySqlQueries.forgetExpiries(queue, ids.size()))) {
      ShardSql.bindIds(ps, 1, ids);
      ps.executeUpdate();
    }
  }

  private static void bindStrings(PreparedStatement ps, int first, Collection<String> values) throws SQLException {
    int i = first;
    for (String v : values) {
      ps.setString(i++, v);
    }
  }
}
