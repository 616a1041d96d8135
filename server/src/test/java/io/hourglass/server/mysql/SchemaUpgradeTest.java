package io.hourglass.server.mysql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hourglass.server.config.PoolSettings;
import io.hourglass.server.config.ShardSpec;
import io.hourglass.server.queue.Ack;
import io.hourglass.server.queue.ClaimRequest;
import io.hourglass.server.queue.ClaimedJob;
import io.hourglass.server.queue.EnqueuedJob;
import io.hourglass.server.queue.JobInfo;
import io.hourglass.server.queue.JobState;
import io.hourglass.server.queue.NewJob;
import io.hourglass.server.queue.QueueName;
import io.hourglass.testing.LocalShards;
import io.hourglass.testing.MutableClock;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A shard written by an earlier version keeps working when a new server starts on it: jobs
 * tables without the extension columns (while an old server goes on using them), and jobs tables
 * whose unique keys and expiries were indexed virtual columns.
 */
class SchemaUpgradeTest {
  static final String DATABASE = "hg_schema_upgrade";
  final MutableClock clock = MutableClock.startingNow();
  final QueueName queue = QueueName.of("made_by_v1");

  /** The jobs table exactly as the previous version created it. */
  static final String V1_TABLE = """
      CREATE TABLE `q_made_by_v1` (
        id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
        priority TINYINT NOT NULL,
        state TINYINT NOT NULL,
        run_after BIGINT NOT NULL,
        attempts_allowed INT NOT NULL,
        attempts_remaining INT NOT NULL,
        custom_status VARCHAR(1000) CHARACTER SET utf8mb4 NOT NULL DEFAULT '',
        claim_descriptor VARCHAR(200) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        body MEDIUMBLOB NOT NULL,
        KEY claim_order (state, priority, run_after),
        KEY state_updated (state, updated_at)
      ) ENGINE=InnoDB""";

  /** The previous version's INSERT, which names none of the new columns. */
  static final String V1_INSERT = """
      INSERT INTO `q_made_by_v1` (priority, state, run_after, attempts_allowed, attempts_remaining,
                                  custom_status, created_at, updated_at, body)
      VALUES (1, 0, 0, 2, 2, 'v1', 0, 0, 'from v1')""";

  /** The jobs table as the version before the keys and expiries tables created it. */
  static final String V2_TABLE = """
      CREATE TABLE `q_made_by_v2` (
        id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
        priority TINYINT NOT NULL,
        state TINYINT NOT NULL,
        run_after BIGINT NOT NULL,
        attempts_allowed INT NOT NULL,
        attempts_remaining INT NOT NULL,
        custom_status VARCHAR(1000) CHARACTER SET utf8mb4 NOT NULL DEFAULT '',
        claim_descriptor VARCHAR(200) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        body MEDIUMBLOB NOT NULL,
        unique_key VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NULL,
        expires_at BIGINT NULL,
        attempt_history MEDIUMTEXT CHARACTER SET utf8mb4 NULL,
        live_unique_key VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin
          AS (IF(state < 2, unique_key, NULL)) VIRTUAL,
        pending_expires_at BIGINT AS (IF(state = 0, expires_at, NULL)) VIRTUAL,
        KEY claim_order (state, priority, run_after),
        KEY state_updated (state, updated_at),
        UNIQUE KEY live_unique_key (live_unique_key),
        KEY pending_expiry (pending_expires_at)
      ) ENGINE=InnoDB""";

  Connection direct() throws SQLException {
    return DriverManager.getConnection("jdbc:mysql://127.0.0.1:" + LocalShards.get().port(1) + "/?user=root&password=");
  }

  MySqlBackend open() {
    ShardSpec spec = new ShardSpec(1, "127.0.0.1", LocalShards.get().port(1), "root", "", DATABASE, false);
    return MySqlBackend.open(spec, new PoolSettings(4, Duration.ofSeconds(2), Duration.ofSeconds(30), 4), clock);
  }

  /** A fresh database holding one registered queue whose jobs table {@code ddl} makes. */
  void shardWith(String queueName, String ddl) throws SQLException {
    try (Connection c = direct(); Statement s = c.createStatement()) {
      s.execute("DROP DATABASE IF EXISTS " + DATABASE);
      s.execute("CREATE DATABASE " + DATABASE);
      s.execute("USE " + DATABASE);
      s.execute("CREATE TABLE hourglass_queues (name VARCHAR(60) CHARACTER SET ascii COLLATE ascii_bin NOT NULL "
          + "PRIMARY KEY, created_at BIGINT NOT NULL) ENGINE=InnoDB");
      s.execute("INSERT INTO hourglass_queues VALUES ('" + queueName + "', 0)");
      s.execute(ddl);
    }
  }

  @Test
  void aV1TableIsUpgradedOnFirstUseAndV1WritesKeepWorking() throws Exception {
    shardWith("made_by_v1", V1_TABLE);
    try (Connection c = direct(); Statement s = c.createStatement()) {
      s.execute("USE " + DATABASE);
      s.execute(V1_INSERT);
    }
    try (MySqlBackend a = open(); MySqlBackend b = open()) {
      EnqueuedJob keyed = a.enqueueJobs(queue, List.of(new NewJob("k".getBytes(), 1, clock.millis(), 2, "")
          .withUniqueKey("k").withExpiry(clock.millis() + 60_000))).get(0);
      assertFalse(keyed.existing());
      // A second server migrating at the same time (or later) finds nothing to do.
      assertTrue(b.enqueueJobs(queue, List.of(new NewJob("k2".getBytes(), 1, clock.millis(), 2, "")
          .withUniqueKey("k"))).get(0).existing());
      b.createQueue(queue);

      try (Connection c = direct(); Statement s = c.createStatement()) {
        s.execute("USE " + DATABASE);
        s.execute(V1_INSERT); // an old server still writing during the rolling upgrade
      }
      List<ClaimedJob> got = a.claim(new ClaimRequest(queue, 1, 10, "w"));
      assertEquals(3, got.size());
      for (ClaimedJob j : got) {
        a.ackFailed(queue, "w", List.of(new Ack(j.descriptor(), "boom", 0)));
      }
      JobInfo v1 = a.lookup(queue, List.of(got.get(0).descriptor().localId()), true).get(0);
      assertEquals(JobState.PENDING, v1.state());
      assertEquals("boom", v1.attempts().get(0).status());
      assertEquals("from v1", new String(v1.body()));
    }
  }

  @Test
  void aTableWithIndexedVirtualColumnsHandsItsHoldersAndExpiriesOverAndLosesBothIndexes() throws Exception {
    shardWith("made_by_v2", V2_TABLE);
    long now = clock.millis();
    try (Connection c = direct(); Statement s = c.createStatement()) {
      s.execute("USE " + DATABASE);
      // ids 1..4: a PENDING holder, an IN_PROGRESS holder, a SUCCEEDED job (its key is free), a
      // PENDING job past its expiry
      s.execute("""
          INSERT INTO q_made_by_v2 (priority, state, run_after, attempts_allowed, attempts_remaining,
                                    custom_status, claim_descriptor, created_at, updated_at, body,
                                    unique_key, expires_at)
          VALUES (1, 0, 0, 2, 2, '', NULL, 0, 0, 'pending', 'held', NULL),
                 (1, 1, 0, 2, 1, '', 'w', 0, 0, 'claimed', 'claimed', NULL),
                 (1, 2, 0, 2, 1, '', 'w', 0, 0, 'done', 'free', NULL),
                 (2, 0, 0, 2, 2, '', NULL, 0, 0, 'expired', NULL, %d)""".formatted(now - 1));
    }
    QueueName v2 = QueueName.of("made_by_v2");
    try (MySqlBackend a = open(); MySqlBackend b = open()) {
      List<EnqueuedJob> got = a.enqueueJobs(v2, List.of(
          new NewJob("x".getBytes(), 1, now, 2, "").withUniqueKey("held"),
          new NewJob("y".getBytes(), 1, now, 2, "").withUniqueKey("claimed"),
          new NewJob("z".getBytes(), 1, now, 2, "").withUniqueKey("free")));
      assertEquals(List.of(true, true, false), got.stream().map(EnqueuedJob::existing).toList());
      assertEquals(List.of(1L, 2L), got.subList(0, 2).stream().map(e -> e.descriptor().localId()).toList());
      // a second server finds nothing left to do, and sees the same holders
      assertTrue(b.enqueueJobs(v2, List.of(new NewJob("w".getBytes(), 1, now, 2, "").withUniqueKey("free")))
          .get(0).existing());
      assertEquals(1, b.expireJobs(v2, now, 10));
      assertEquals(JobState.FAILED, b.lookup(v2, List.of(4L), false).get(0).state());
    }
    try (Connection c = direct(); Statement s = c.createStatement()) {
      s.execute("USE " + DATABASE);
      try (ResultSet rs = s.executeQuery("SELECT GROUP_CONCAT(DISTINCT INDEX_NAME ORDER BY BINARY INDEX_NAME)"
          + " FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'q_made_by_v2'")) {
        rs.next();
        assertEquals("PRIMARY,claim_order,state_updated", rs.getString(1));
      }
      try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM information_schema.COLUMNS"
          + " WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'q_made_by_v2'"
          + " AND COLUMN_NAME IN ('live_unique_key', 'pending_expires_at')")) {
        rs.next();
        assertEquals(0, rs.getInt(1));
      }
    }
  }
}
