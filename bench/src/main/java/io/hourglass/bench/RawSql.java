package io.hourglass.bench;

import java.util.Collections;

/**
 * Every statement of the raw-JDBC reference loop. The table copies the layout of the server's
 * jobs tables as of this benchmark's writing (server mysql/MySqlQueries#createJobsTable, the
 * original PinLater's columns with millisecond BIGINT times): it is the fixed yardstick that the
 * server's own schema is measured against, so it does not follow later changes of that schema.
 */
final class RawSql {
  private RawSql() {}

  static final String DATABASE = "bench_raw";

  static final String CREATE_TABLE =
      """
      CREATE TABLE IF NOT EXISTS jobs (
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
      ) ENGINE=InnoDB
      """;

  /** Each raw cell starts on an empty table (outside the measured window). */
  static final String TRUNCATE = "TRUNCATE TABLE jobs";

  /** {@code rows} PENDING jobs of priority 1, 2 attempts, in one statement. Bind per row: run_after, created_at, updated_at, body. */
  static String insert(int rows) {
    return "INSERT INTO jobs (priority, state, run_after, attempts_allowed, attempts_remaining, custom_status,"
        + " created_at, updated_at, body) VALUES "
        + String.join(",", Collections.nCopies(rows, "(1, 0, ?, 2, 2, '', ?, ?, ?)"));
  }

  /**
   * Claim, step 1, in a READ COMMITTED transaction (the shards' default isolation): the oldest
   * due rows, locked; SKIP LOCKED lets concurrent claimers take different rows instead of waiting.
   */
  static final String SELECT_CLAIMABLE =
      """
      SELECT id, attempts_allowed, attempts_remaining, body FROM jobs
      WHERE state = 0 AND priority = 1 AND run_after <= ?
      ORDER BY run_after, id
      LIMIT ?
      FOR UPDATE SKIP LOCKED""";

  /** Claim, step 2: the locked rows become IN_PROGRESS for this claimant. Bind: claimant, now, ids. */
  static String markClaimed(int ids) {
    return "UPDATE jobs SET state = 1, attempts_remaining = attempts_remaining - 1, claim_descriptor = ?,"
        + " updated_at = ? WHERE id IN (" + placeholders(ids) + ")";
  }

  /** Success ack of a claim's rows, only while they are still IN_PROGRESS. Bind: now, ids. */
  static String ackSucceeded(int ids) {
    return "UPDATE jobs SET state = 2, updated_at = ? WHERE state = 1 AND id IN (" + placeholders(ids) + ")";
  }

  private static String placeholders(int n) {
    return String.join(",", Collections.nCopies(n, "?"));
  }
}
