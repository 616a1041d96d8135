package io.hourglass.server.mysql;

import io.hourglass.server.queue.QueueException;
import io.hourglass.server.queue.QueueException.Kind;
import io.hourglass.server.queue.QueueName;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientConnectionException;

/** Translates JDBC failures of one shard into {@link QueueException}s. */
final class SqlErrors {
  static final int ER_NO_SUCH_TABLE = 1146;
  static final int ER_LOCK_DEADLOCK = 1213;
  static final int ER_DUP_ENTRY = 1062;
  static final int ER_LOCK_WAIT_TIMEOUT = 1205;
  /** The only user-supplied pattern that reaches MySQL is bodyRegexToMatch (as a bound value). */
  static final int ER_REGEXP_ERROR = 1139;
  /** MariaDB stopped a statement at max_statement_time. */
  static final int ER_STATEMENT_TIMEOUT = 1969;
  /** MySQL stopped a SELECT at max_execution_time. */
  static final int ER_QUERY_TIMEOUT = 3024;

  private SqlErrors() {}

  /** Deadlocks and lock-wait timeouts: the statement may simply be run again. */
  static boolean isRetryable(SQLException e) {
    return e.getErrorCode() == ER_LOCK_DEADLOCK
        || e.getErrorCode() == ER_LOCK_WAIT_TIMEOUT
        || "40001".equals(e.getSQLState());
  }

  /** The shard stopped the statement at its time limit: slow, not unreachable. */
  static boolean isStatementTimeout(Throwable t) {
    return t instanceof SQLException e
        && (e.getErrorCode() == ER_STATEMENT_TIMEOUT || e.getErrorCode() == ER_QUERY_TIMEOUT);
  }

  /**
   * HikariCP's "connection is not available" timeout carries the last connect failure as its
   * cause when the shard cannot be reached, and no cause when every connection is simply busy.
   */
  static boolean isPoolExhausted(Throwable t) {
    return t instanceof SQLTransientConnectionException e && e.getCause() == null;
  }

  /** A unique-index violation (a held unique key), also when it comes wrapped in a batch failure. */
  static boolean isDuplicateKey(SQLException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException s && s.getErrorCode() == ER_DUP_ENTRY) {
        return true;
      }
    }
    return false;
  }

  static boolean isConnectionFailure(SQLException e) {
    String state = e.getSQLState();
    return e instanceof SQLTransientConnectionException
        || e instanceof SQLNonTransientConnectionException
        || e instanceof SQLRecoverableException
        || (state != null && state.startsWith("08"));
  }

  static QueueException translate(int shardId, QueueName queue, SQLException e) {
    if (e.getErrorCode() == ER_NO_SUCH_TABLE && queue != null) {
      return new QueueException(
          Kind.QUEUE_NOT_FOUND, "queueName: queue '" + queue + "' does not exist (shard " + shardId + ")");
    }
    if (e.getErrorCode() == ER_REGEXP_ERROR) {
      return QueueException.badArgument("bodyRegexToMatch", "invalid regular expression: " + e.getMessage());
    }
    if (isStatementTimeout(e)) {
      // 5xx and retryable, like an unreachable shard, but the shard stays in rotation (see
      // ShardOps#failed): it answered, only this statement was too slow.
      return new QueueException(Kind.SHARD_CONNECTION_FAILED, "shard " + shardId
          + (queue == null ? "" : ", queue " + queue) + ": statement stopped by the shard at its time limit ("
          + e.getMessage() + ")", e);
    }
    if (isConnectionFailure(e)) {
      return new QueueException(
          Kind.SHARD_CONNECTION_FAILED, "shard " + shardId + " is unreachable: " + e.getMessage(), e);
    }
    return new QueueException(
        Kind.INTERNAL,
        "shard " + shardId + (queue == null ? "" : ", queue " + queue) + ": " + e.getMessage(),
        e);
  }
}
