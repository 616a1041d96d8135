package io.hourglass.server.mysql;

import io.hourglass.server.queue.QueueName;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Set;
import java.util.TreeSet;

/**
 * The queues of one shard: creates, drops and lists them (a registry row plus three tables each:
 * jobs, unique keys, expiries).
 */
final class QueueRegistry {
  private final ShardSql sql;
  private final QueueTables tables;

  QueueRegistry(ShardSql sql, QueueTables tables) {
    this.sql = sql;
    this.tables = tables;
  }

  void createQueue(QueueName queue) {
    sql.ensureSchema();
    sql.run(queue, c -> {
      try (Statement s = c.createStatement()) {
        for (String table : MySqlQueries.createQueueTables(queue)) {
          s.execute(table);
        }
      }
      try (PreparedStatement ps = c.prepareStatement(MySqlQueries.REGISTER_QUEUE)) {
        ps.setString(1, queue.value());
        ps.setLong(2, sql.nowMillis());
        ps.executeUpdate();
      }
      return null;
    });
    // CREATE TABLE IF NOT EXISTS leaves a table of an older version as it was.
    tables.forget(queue);
    tables.ensureCurrent(queue);
  }

  void deleteQueue(QueueName queue) {
    sql.ensureSchema();
    tables.forget(queue);
    sql.run(queue, c -> {
      // Unregister first: a half-done delete leaves an orphan table, never a queue without one.
      try (PreparedStatement ps = c.prepareStatement(MySqlQueries.UNREGISTER_QUEUE)) {
        ps.setString(1, queue.value());
        ps.executeUpdate();
      }
      try (Statement s = c.createStatement()) {
        s.execute(MySqlQueries.dropQueueTables(queue));
      }
      return null;
    });
  }

  Set<String> queueNames() {
    sql.ensureSchema();
    return sql.run(null, c -> {
      Set<String> names = new TreeSet<>();
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery(MySqlQueries.LIST_QUEUES)) {
        while (rs.next()) {
          names.add(rs.getString(1));
        }
      }
      return names;
    });
  }
}
