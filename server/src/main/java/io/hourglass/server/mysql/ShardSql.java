package io.hourglass.server.mysql;

import com.zaxxer.hikari.HikariDataSource;
import io.hourglass.server.queue.QueueException;
import io.hourglass.server.queue.QueueName;
import io.hourglass.server.queue.ShardHealth;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs SQL on one shard: the pooled connection, deadlock retries, error translation and the
 * one-time schema bootstrap. Every part of {@link MySqlBackend} reaches the shard through
 * {@link #run}.
 */
final class ShardSql {
  private static final Logger LOG = LoggerFactory.getLogger(ShardSql.class);
  private static final int MAX_TRIES = 3;

  private final int shardId;
  private final HikariDataSource pool;
  private final HikariDataSource adminPool;
  private final Clock clock;
  private final ShardOps ops;
  private final java.time.Duration adminStatementTimeout;
  private volatile boolean schemaReady;
  private volatile boolean consecutiveIds;

  ShardSql(int shardId, HikariDataSource pool, HikariDataSource adminPool, Clock clock, ShardOps ops,
      java.time.Duration adminStatementTimeout) {
    this.adminStatementTimeout = adminStatementTimeout;
    this.shardId = shardId;
    this.pool = pool;
    this.adminPool = adminPool;
    this.clock = clock;
    this.ops = ops;
  }

  int shardId() {
    return shardId;
  }

  java.time.Duration adminStatementTimeout() {
    return adminStatementTimeout;
  }

  long nowMillis() {
    return clock.millis();
  }

  /**
   * Whether one multi-row INSERT gets consecutive ids (see {@link #ensureSchema}); known once
   * the schema is ready.
   */
  boolean consecutiveIds() {
    return consecutiveIds;
  }

  void ensureSchema() {
    if (schemaReady) {
      return;
    }
    run(null, c -> {
      try (Statement s = c.createStatement()) {
        s.execute(MySqlQueries.CREATE_REGISTRY);
        try (ResultSet rs = s.executeQuery(MySqlQueries.AUTOINC_SETTINGS)) {
          rs.next();
          // Lock mode 2 may interleave ids of concurrent multi-row INSERTs: then the ids the
          // driver derives from LAST_INSERT_ID() could be wrong, so insert row by row instead.
          consecutiveIds = rs.getInt(1) < 2 && rs.getInt(2) == 1;
        }
      }
      return null;
    });
    if (!consecutiveIds) {
      LOG.warn("shard {}: innodb_autoinc_lock_mode=2 or auto_increment_increment>1; enqueues insert "
          + "one row per statement (slower). Set innodb_autoinc_lock_mode=1 for batched inserts.", shardId);
    }
    schemaReady = true;
  }

  @FunctionalInterface
  interface SqlWork<T> {
    T apply(Connection c) throws SQLException;
  }

  /**
   * Runs {@code work} on a pooled connection, retrying deadlocks, translating failures. Fails
   * fast while the shard is down (see {@link ShardHealth}) instead of waiting for the pool.
   */
  <T> T run(QueueName queue, SqlWork<T> work) {
    return run(pool, queue, work, true);
  }

  /**
   * Like {@link #run}, also while the shard counts as down: for releasing claims that a shard
   * answered with after their dequeue gave up on it. It has just answered, so the release is worth
   * trying; failing fast would leave the jobs IN_PROGRESS until their claim timeout.
   */
  <T> T runEvenIfDown(QueueName queue, SqlWork<T> work) {
    return run(pool, queue, work, false);
  }

  /**
   * Like {@link #run}, on the shard's admin pool: counts, scans, retries and deletes, which may
   * run for up to {@code admin.statementTimeoutMillis} and must not take the request path's
   * connections while they do.
   */
  <T> T runAdmin(QueueName queue, SqlWork<T> work) {
    return run(adminPool, queue, work, true);
  }

  private <T> T run(HikariDataSource pool, QueueName queue, SqlWork<T> work, boolean failFastWhenDown) {
    if (failFastWhenDown) {
      ops.failFastWhenDown();
    }
    ops.inflight().incrementAndGet();
    try {
      for (int attempt = 1; ; attempt++) {
        boolean handedOver = false;
        try (Connection c = pool.getConnection()) {
          handedOver = true;
          T result = work.apply(c);
          ops.answered();
          return result;
        } catch (SQLException e) {
          if (attempt < MAX_TRIES && SqlErrors.isRetryable(e)) {
            LOG.debug("shard {}: retrying after {}", shardId, e.getMessage());
            continue;
          }
          if (pool == adminPool && SqlErrors.isPoolExhausted(e)) {
            throw ops.failed(new QueueException(QueueException.Kind.SHARD_CONNECTION_FAILED, "shard " + shardId
                + ": all " + adminPool.getMaximumPoolSize() + " admin connections (admin.maxConnections, for counts, "
                + "scans, retries and deletes) stayed busy for " + adminPool.getConnectionTimeout()
                + " ms; retry later", e));
          }
          QueueException failure = SqlErrors.translate(shardId, queue, e);
          throw ops.failed(handedOver && SqlErrors.isConnectionFailure(e) ? failure.markMayHaveRun() : failure);
        }
      }
    } finally {
      ops.inflight().decrementAndGet();
    }
  }

  /**
   * Runs {@code work} in one transaction on a connection that stays in autocommit (see
   * {@link MySqlQueries#START_TRANSACTION}): START TRANSACTION, the work, COMMIT; ROLLBACK when it
   * fails. Pool connections are always in autocommit, which single-statement writes want.
   */
  static <T> T inTransaction(Connection c, SqlWork<T> work) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(MySqlQueries.START_TRANSACTION);
      T result;
      try {
        result = work.apply(c);
      } catch (SQLException | RuntimeException e) {
        rollback(c, e);
        throw e;
      }
      s.execute(MySqlQueries.COMMIT);
      return result;
    }
  }

  /**
   * {@link #inTransaction}, run again (at most {@code tries} times in all) when it loses a race
   * for a unique key (a duplicate-key error) or is chosen as a deadlock victim.
   */
  static <T> T inTransactionRetryingRaces(Connection c, int tries, SqlWork<T> work) throws SQLException {
    for (int attempt = 1; ; attempt++) {
      try {
        return inTransaction(c, work);
      } catch (SQLException e) {
        if (attempt >= tries || !(SqlErrors.isDuplicateKey(e) || SqlErrors.isRetryable(e))) {
          throw e;
        }
      }
    }
  }

  /**
   * Runs a {@link MySqlQueries#startingTransaction} text whose statement is a query and returns
   * its rows: the text's second result, after START TRANSACTION's.
   */
  static ResultSet rowsAfterStart(PreparedStatement ps) throws SQLException {
    if (ps.execute() || !ps.getMoreResults()) {
      throw new SQLException("expected START TRANSACTION's count, then rows");
    }
    return ps.getResultSet();
  }

  /**
   * Runs a {@link MySqlQueries#thenCommit} text whose statement is an update; returns the rows it
   * changed once the COMMIT after it has run too (reading every result surfaces its error).
   */
  static int updateThenCommit(PreparedStatement ps) throws SQLException {
    if (ps.execute()) {
      throw new SQLException("expected an update count, got rows");
    }
    int changed = ps.getUpdateCount();
    while (ps.getMoreResults() || ps.getUpdateCount() != -1) {
      // the COMMIT's own count
    }
    return changed;
  }

  /** Ends a transaction that {@code failure} interrupted; a broken connection is rolled back by the shard. */
  static void rollback(Connection c, Exception failure) {
    try (Statement s = c.createStatement()) {
      s.execute(MySqlQueries.ROLLBACK);
    } catch (SQLException rollbackFailed) {
      failure.addSuppressed(rollbackFailed);
    }
  }

  static void bindIds(PreparedStatement ps, int firstIndex, List<Long> ids) throws SQLException {
    int i = firstIndex;
    for (long id : ids) {
      ps.setLong(i++, id);
    }
  }

  /**
   * Binds {@link MySqlQueries#claimantOf}'s parameters from {@code idsByClaimant} (in its
   * order) starting at {@code firstIndex}; returns the next free index.
   */
  static int bindClaimants(PreparedStatement ps, int firstIndex, Map<String, List<Long>> idsByClaimant)
      throws SQLException {
    int i = firstIndex;
    if (idsByClaimant.size() == 1) {
      ps.setString(i++, idsByClaimant.keySet().iterator().next());
      return i;
    }
    for (Map.Entry<String, List<Long>> e : idsByClaimant.entrySet()) {
      bindIds(ps, i, e.getValue());
      i += e.getValue().size();
      ps.setString(i++, e.getKey());
    }
    return i;
  }
}
