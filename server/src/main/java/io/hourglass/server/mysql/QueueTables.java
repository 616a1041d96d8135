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
 * Brings the jobs tables of one shard up to this version's shape, once per table per server.
 *
 * <p>How is this designed, and why? A cluster upgrades by restarting servers one by one, so for
 * a while old and new servers share the shards, and an old server may even create a queue
 * (old-shaped table) after a new one started. So the check is per table, on first use by this
 * server (and by createQueue), not once at start: a cheap information_schema count, and the
 * idempotent {@link MySqlQueries#migrateJobsTable} only when columns are missing. The new
 * columns are nullable, so old servers' statements keep working on migrated tables. One gap:
 * a queue that an old server deletes and creates again while this server runs is checked again
 * only after this server restarts or itself creates or deletes the queue (finish the rolling
 * upgrade before such edits).
 */
final class QueueTables {
  private static final Logger LOG = LoggerFactory.getLogger(QueueTables.class);

  private final ShardSql sql;
  private final Set<String> current = ConcurrentHashMap.newKeySet();

  QueueTables(ShardSql sql) {
    this.sql = sql;
  }

  /** Makes sure the queue's table has every column this version uses (no-op when known to). */
  void ensureCurrent(QueueName queue) {
    if (current.contains(queue.value())) {
      return;
    }
    sql.run(queue, c -> {
      int have;
      try (PreparedStatement ps = c.prepareStatement(MySqlQueries.COUNT_EXTENSION_COLUMNS)) {
        ps.setString(1, "q_" + queue.value());
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          have = rs.getInt(1);
        }
      }
      if (have < MySqlQueries.EXTENSION_COLUMNS.size()) {
        try (Statement s = c.createStatement()) {
          // On a missing table this fails with "no such table": QUEUE_NOT_FOUND, as the caller's own statement would.
          s.execute(MySqlQueries.migrateJobsTable(queue));
        }
        LOG.info("shard {}: upgraded the table of queue {} (it had {} of the {} extension columns)", sql.shardId(), queue,
            have, MySqlQueries.EXTENSION_COLUMNS.size());
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
