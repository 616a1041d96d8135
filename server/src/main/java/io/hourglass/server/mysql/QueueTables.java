package io.hourglass.server.mysql;

import io.hourglass.server.queue.QueueName;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings the tables of each queue on one shard up to this version's shape, once per queue per
 * server.
 *
 * <p>How is this designed, and why? A cluster upgrades by restarting servers one by one, so for
 * a while old and new servers share the shards, and an old server may even create a queue
 * (old-shaped table) after a new one started. So the check is per queue, on first use by this
 * server (and by createQueue), not once at start: a cheap information_schema read, and the
 * idempotent upgrade steps only when something is missing. Two shapes are upgraded:
 * <ul>
 *   <li>a jobs table without the extension columns (the first version): the nullable columns
 *       are added, and that version's statements keep working on the table;
 *   <li>a jobs table whose unique keys and expiries were indexed virtual columns: the keys and
 *       expiries of unfinished jobs are copied into the queue's new keys and expiries tables,
 *       then the two indexes and their columns are dropped. A server of that version still
 *       running stores keyed jobs without a check once its index is gone, and its expiry sweep
 *       fails: finish the rolling upgrade before relying on unique keys and expiries again.
 * </ul>
 * One gap: a queue that an old server deletes and creates again while this server runs is
 * checked again only after this server restarts or itself creates or deletes the queue (finish
 * the rolling upgrade before such edits).
 */
final class QueueTables {
  private static final Logger LOG = LoggerFactory.getLogger(QueueTables.class);

  private final ShardSql sql;
  private final Set<String> current = ConcurrentHashMap.newKeySet();

  QueueTables(ShardSql sql) {
    this.sql = sql;
  }

  /** Makes sure the queue's tables have this version's shape (no-op when known to). */
  void ensureCurrent(QueueName queue) {
    if (current.contains(queue.value())) {
      return;
    }
    sql.run(queue, c -> {
      int columns;
      int oldColumns;
      int sideTables;
      try (PreparedStatement ps = c.prepareStatement(MySqlQueries.TABLE_SHAPE)) {
        ps.setString(1, "q_" + queue.value());
        ps.setString(2, "q_" + queue.value());
        ps.setString(3, "qk_" + queue.value());
        ps.setString(4, "qx_" + queue.value());
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          columns = rs.getInt(1);
          oldColumns = rs.getInt(2);
          sideTables = rs.getInt(3);
        }
      }
      if (columns < MySqlQueries.EXTENSION_COLUMNS.size() || oldColumns > 0 || sideTables < 2) {
        try (Statement s = c.createStatement()) {
          // On a missing table this fails with "no such table": QUEUE_NOT_FOUND, as the caller's own statement would.
          s.execute(MySqlQueries.addExtensionColumns(queue));
          for (String table : MySqlQueries.createQueueTables(queue).subList(1, 3)) {
            s.execute(table);
          }
          if (oldColumns > 0) {
            s.execute(MySqlQueries.copyOldKeys(queue));
            s.execute(MySqlQueries.copyOldExpiries(queue));
            s.execute(MySqlQueries.dropOldIndexes(queue));
          }
        }
        LOG.info("shard {}: upgraded the tables of queue {} (extension columns: {} of {}; indexed virtual columns: {};"
            + " keys and expiries tables: {} of 2)", sql.shardId(), queue, columns, MySqlQueries.EXTENSION_COLUMNS.size(),
            oldColumns, sideTables);
      }
      current.add(queue.value());
      return null;
    });
  }

  /** The table was dropped (or is about to be): check again on next use. */
  void forget(QueueName queue) {
    current.remove(queue.value());
  }
}
