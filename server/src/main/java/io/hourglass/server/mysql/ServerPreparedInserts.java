package io.hourglass.server.mysql;

import com.mysql.cj.jdbc.JdbcConnection;
import io.hourglass.server.queue.QueueName;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The multi-row INSERTs of enqueues as server-side prepared statements, kept per physical
 * connection and reused.
 *
 * <p>How is this designed, and why? Sent as text, every bound value of a 100-row INSERT is
 * written out (bodies hex-escaped) by the driver and parsed back by the shard; prepared on the
 * shard, the rows go in the binary protocol. Measured on one shard, 100-row INSERTs of the
 * jobs table: 9.0–9.8 µs of mariadbd CPU per row as text, 7.8–8.0 prepared. The driver caches
 * server-side statements only when every statement of the connection is server-prepared
 * ({@code useServerPrepStmts}), which would give every distinct IN-list length of claims and
 * acks a statement on the shard (MariaDB caps them at {@code max_prepared_stmt_count} over all
 * connections); so only these INSERTs are server-prepared, cached here, at most
 * {@link #PER_CONNECTION} per connection (least recently used closed first). Statements are
 * made on the physical connection, which HikariCP does not track, and are never closed by
 * their users. A connection is used by one thread at a time, and so is its cache; entries of
 * closed connections are dropped when the map grows. Statements are looked up by their shape,
 * not their text, which is built only to prepare one (a 100-row INSERT's text is 3 KiB).
 */
final class ServerPreparedInserts {
  static final int PER_CONNECTION = 32;
  /** Past this many connections, entries of closed ones are dropped (a pool replaces connections). */
  private static final int PRUNE_ABOVE = 64;

  /** {@link MySqlQueries#insertJobs}'s arguments. */
  record Shape(QueueName queue, int rows, boolean extended) {}

  private final Map<JdbcConnection, LinkedHashMap<Shape, PreparedStatement>> byConnection = new IdentityHashMap<>();

  /**
   * The statement of this shape on {@code pooled}'s physical connection. Its user clears its
   * parameters after a use that bound large bodies, so that the cache keeps little of them alive.
   */
  PreparedStatement statement(Connection pooled, Shape shape) throws SQLException {
    JdbcConnection physical = pooled.unwrap(JdbcConnection.class);
    LinkedHashMap<Shape, PreparedStatement> cache = cacheOf(physical);
    PreparedStatement ps = cache.get(shape);
    if (ps != null && !ps.isClosed()) {
      return ps;
    }
    ps = physical.serverPrepareStatement(MySqlQueries.insertJobs(shape.queue(), shape.rows(), shape.extended()));
    cache.put(shape, ps);
    if (cache.size() > PER_CONNECTION) {
      Iterator<PreparedStatement> eldest = cache.values().iterator();
      PreparedStatement evicted = eldest.next();
      eldest.remove();
      evicted.close();
    }
    return ps;
  }

  private synchronized LinkedHashMap<Shape, PreparedStatement> cacheOf(JdbcConnection physical) throws SQLException {
    if (byConnection.size() > PRUNE_ABOVE && !byConnection.containsKey(physical)) {
      Iterator<JdbcConnection> it = byConnection.keySet().iterator();
      while (it.hasNext()) {
        if (it.next().isClosed()) {
          it.remove();
        }
      }
    }
    // access order: the least recently used statement is the first one
    return byConnection.computeIfAbsent(physical, k -> new LinkedHashMap<>(16, 0.75f, true));
  }
}
