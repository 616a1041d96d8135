package io.hourglass.server.mysql;

import io.hourglass.server.queue.Attempt;
import io.hourglass.server.queue.JobDescriptor;
import io.hourglass.server.queue.JobFilter;
import io.hourglass.server.queue.JobInfo;
import io.hourglass.server.queue.JobState;
import io.hourglass.server.queue.QueueException;
import io.hourglass.server.queue.QueueName;
import io.hourglass.server.queue.RetryFailedRequest;
import io.hourglass.server.queue.ScanCursor;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads and admin edits of one shard's jobs: lookup by id, and count, scan, retry and delete by
 * {@link JobFilter}.
 */
final class JobInspector {
  private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
      new com.fasterxml.jackson.databind.ObjectMapper();

  private final ShardSql sql;
  private final QueueTables tables;
  private final KeysAndExpiries keysAndExpiries;

  JobInspector(ShardSql sql, QueueTables tables, KeysAndExpiries keysAndExpiries) {
    this.sql = sql;
    this.tables = tables;
    this.keysAndExpiries = keysAndExpiries;
  }

  private static String filterSql(JobFilter f) {
    return MySqlQueries.jobFilter(f.priority() != null, f.future(), f.bodyRegex() != null);
  }

  /** Binds the values of {@link MySqlQueries#jobFilter}; returns the next parameter index. */
  private static int bindFilter(PreparedStatement ps, JobFilter f, long now) throws SQLException {
    int i = 1;
    ps.setInt(i++, f.state().code());
    if (f.priority() != null) {
      ps.setInt(i++, f.priority());
    }
    if (f.future() != null) {
      ps.setLong(i++, now);
    }
    if (f.bodyRegex() != null) {
      ps.setString(i++, f.bodyRegex());
    }
    return i;
  }

  /**
   * Runs a filtered admin statement. When the filter has a regex and the shard stopped the
   * statement at its time limit, the pattern is what made it slow (a body scan is otherwise one
   * index range): the caller hears that about the field, not about the shard, which is fine.
   */
  private <T> T filtered(JobFilter filter, ShardSql.SqlWork<T> work) {
    try {
      return sql.runAdmin(filter.queue(), work);
    } catch (QueueException e) {
      if (filter.bodyRegex() != null && SqlErrors.isStatementTimeout(e.getCause())) {
        throw QueueException.badArgument("bodyRegexToMatch", "too expensive: shard " + sql.shardId()
            + " stopped the statement after its time limit of " + sql.adminStatementTimeout().toMillis()
            + " ms (admin.statementTimeoutMillis); use a simpler pattern or a narrower filter");
      }
      throw e;
    }
  }

  long count(JobFilter filter) {
    sql.ensureSchema();
    return filtered(filter, c -> {
      try (PreparedStatement ps = c.prepareStatement(MySqlQueries.count(filter.queue(), filterSql(filter)))) {
        bindFilter(ps, filter, sql.nowMillis());
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          return rs.getLong(1);
        }
      }
    });
  }

  List<JobInfo> scan(JobFilter filter, ScanCursor after, int limit) {
    sql.ensureSchema();
    tables.ensureCurrent(filter.queue());
    int shardId = sql.shardId();
    QueueName queue = filter.queue();
    String afterClause = after == null ? ""
        : shardId == after.shardId() ? MySqlQueries.SCAN_AFTER_SAME_SHARD
        : shardId < after.shardId() ? MySqlQueries.SCAN_AFTER_LOWER_SHARD
        : MySqlQueries.SCAN_AFTER_HIGHER_SHARD;
    return filtered(filter, c -> {
      List<JobInfo> out = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement(MySqlQueries.scan(queue, filterSql(filter), afterClause))) {
        int i = bindFilter(ps, filter, sql.nowMillis());
        if (after != null) {
          ps.setLong(i++, after.runAfterMillis());
          if (shardId == after.shardId()) {
            ps.setLong(i++, after.runAfterMillis());
            ps.setLong(i++, after.localId());
          }
        }
        ps.setInt(i, limit);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(jobInfo(queue, rs, false, List.of()));
          }
        }
      }
      return out;
    });
  }

  /** Locks the FAILED jobs of one priority (oldest id first) and redrives them, keys permitting. */
  int retryFailed(RetryFailedRequest r) {
    sql.ensureSchema();
    tables.ensureCurrent(r.queue());
    QueueName queue = r.queue();
    return sql.runAdmin(queue, c -> ShardSql.inTransactionRetryingRaces(c, JobWriter.RACE_TRIES, tx -> {
      List<KeysAndExpiries.JobRow> failed;
      try (PreparedStatement ps = tx.prepareStatement(MySqlQueries.lockJobs(queue, MySqlQueries.REDRIVE_ALL, true))) {
        ps.setInt(1, r.priority());
        ps.setInt(2, r.limit());
        failed = KeysAndExpiries.JobRow.read(ps);
      }
      return keysAndExpiries.redrive(tx, queue, failed, r.attemptsToAllow(), r.runAfterMillis(), sql.nowMillis());
    }));
  }

  /** Locks the filter's jobs (lowest id first, at most {@code limit}) and deletes them with their key and expiry rows. */
  int deleteJobs(JobFilter filter, int limit) {
    sql.ensureSchema();
    tables.ensureCurrent(filter.queue());
    return filtered(filter, c -> ShardSql.inTransaction(c, tx -> {
      List<KeysAndExpiries.JobRow> rows;
      try (PreparedStatement ps = tx.prepareStatement(MySqlQueries.lockJobs(filter.queue(), filterSql(filter), true))) {
        int i = bindFilter(ps, filter, sql.nowMillis());
        ps.setInt(i, limit);
        rows = KeysAndExpiries.JobRow.read(ps);
      }
      return keysAndExpiries.delete(tx, filter.queue(), rows);
    }));
  }

  List<JobInfo> lookup(QueueName queue, List<Long> ids, boolean includeBody) {
    if (ids.isEmpty()) {
      return List.of();
    }
    sql.ensureSchema();
    tables.ensureCurrent(queue);
    return sql.run(queue, c -> {
      List<JobInfo> out = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement(MySqlQueries.lookup(queue, ids.size(), includeBody))) {
        ShardSql.bindIds(ps, 1, ids);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(jobInfo(queue, rs, includeBody, attempts(rs.getString("attempt_history"))));
          }
        }
      }
      return out;
    });
  }

  private JobInfo jobInfo(QueueName queue, ResultSet rs, boolean withBody, List<Attempt> attempts)
      throws SQLException {
    long expiresAt = rs.getLong("expires_at");
    Long expiry = rs.wasNull() ? null : expiresAt;
    JobState state = JobState.fromCode(rs.getInt("state"));
    return new JobInfo(
        new JobDescriptor(queue, sql.shardId(), rs.getInt("priority"), rs.getLong("id")),
        state,
        rs.getInt("attempts_allowed"),
        state.visibleAttemptsRemaining(rs.getInt("attempts_remaining")),
        rs.getString("custom_status"),
        rs.getLong("created_at"),
        rs.getLong("run_after"),
        rs.getLong("updated_at"),
        rs.getString("claim_descriptor"),
        withBody ? rs.getBytes("body") : null,
        rs.getString("unique_key"),
        expiry,
        attempts);
  }

  /** Reads the attempt_history JSON written by {@link MySqlQueries#APPEND_ATTEMPT}. */
  private List<Attempt> attempts(String json) throws SQLException {
    if (json == null || json.isEmpty()) {
      return List.of();
    }
    try {
      List<Attempt> out = new ArrayList<>();
      for (com.fasterxml.jackson.databind.JsonNode n : JSON.readTree(json)) {
        out.add(new Attempt(n.path("attempt").asInt(), n.path("at").asLong(), n.path("claimant").asText(""),
            n.path("status").asText("")));
      }
      return out;
    } catch (java.io.IOException e) {
      throw new SQLException("shard " + sql.shardId() + ": unreadable attempt_history: " + e.getMessage(), e);
    }
  }
}
