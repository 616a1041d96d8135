package io.hourglass.server.mysql;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import javax.sql.DataSource;

/**
 * Gives every new physical connection of a pool a per-statement time limit, so the shard itself
 * stops a statement that runs too long (and frees its locks and CPU) instead of it running on
 * after the server gave up on it.
 *
 * <p>How is this designed, and why? The two servers spell the limit differently — MariaDB
 * {@code max_statement_time} (seconds, every statement), MySQL {@code max_execution_time}
 * (milliseconds, read-only SELECTs) — and a session variable the server does not know fails the
 * connection, so neither fits in the JDBC URL. The flavour is read from the handshake's version
 * string (no round trip) when a connection opens, and one {@code SET SESSION} follows it; HikariCP
 * keeps session variables for the connection's life, so the hot path pays nothing per statement.
 */
final class TimeLimitedDataSource extends DelegatingDataSource {
  private final Duration limit;

  TimeLimitedDataSource(DataSource delegate, Duration limit) {
    super(delegate);
    this.limit = limit;
  }

  @Override
  Connection opened(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(MySqlQueries.statementTimeLimit(isMariaDb(c), limit.toMillis()));
      return c;
    } catch (SQLException | RuntimeException e) {
      c.close();
      throw e;
    }
  }

  static boolean isMariaDb(Connection c) throws SQLException {
    return c.getMetaData().getDatabaseProductVersion().toLowerCase(java.util.Locale.ROOT).contains("mariadb");
  }
}
