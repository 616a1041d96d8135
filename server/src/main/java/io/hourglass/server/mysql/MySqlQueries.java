package io.hourglass.server.mysql;

import io.hourglass.server.queue.Attempt;
import io.hourglass.server.queue.QueueName;
import java.util.Collections;
import java.util.List;

/**
 * Every SQL statement of the MySQL backend. Table names come only from {@link #jobsTable}, built
 * from a validated {@link QueueName}; every other value is a bind parameter.
 *
 * <p>Times are BIGINT epoch milliseconds from the server's injectable clock, never NOW(): one
 * clock, millisecond precision, no 2038 limit.
 */
final class MySqlQueries {
  private MySqlQueries() {}

  /** The registry of queues on a shard; the jobs tables are the truth, this is the index. */
  static final String CREATE_REGISTRY =
      """
      CREATE TABLE IF NOT EXISTS hourglass_queues (
        -- ascii_bin: queue names are case-sensitive, like the table names made from them
        name VARCHAR(60) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
        created_at BIGINT NOT NULL
      ) ENGINE=InnoDB
      """;

  static final String REGISTER_QUEUE =
      "INSERT IGNORE INTO hourglass_queues (name, created_at) VALUES (?, ?)";

  static final String UNREGISTER_QUEUE = "DELETE FROM hourglass_queues WHERE name = ?";

  static final String LIST_QUEUES = "SELECT name FROM hourglass_queues";

  static String jobsTable(QueueName queue) {
    return "`q_" + queue.value() + "`";
  }

  /** Unique keys of a queue's unfinished jobs ({@link #CREATE_KEYS_TABLE}); "qk_" + 60 characters fits MySQL's 64. */
  static String keysTable(QueueName queue) {
    return "`qk_" + queue.value() + "`";
  }

  /** Expiries of a queue's jobs ({@link #CREATE_EXPIRIES_TABLE}). */
  static String expiriesTable(QueueName queue) {
    return "`qx_" + queue.value() + "`";
  }

  /** Every table of one queue, jobs table first: created together, dropped together. */
  static List<String> createQueueTables(QueueName queue) {
    return List.of(createJobsTable(queue), CREATE_KEYS_TABLE.formatted(keysTable(queue)),
        CREATE_EXPIRIES_TABLE.formatted(expiriesTable(queue)));
  }

  /**
   * Two secondary indexes and no more: every index is written by every INSERT, and each one past
   * these two cost a 100-row INSERT ~3 µs of shard CPU per row with 5 concurrent writers
   * (README, "Results (2026-12-06 18:12 UTC)"). Unique keys and expiries, which few jobs carry,
   * live in tables of their own that only those jobs write.
   */
  static String createJobsTable(QueueName queue) {
    return """
        CREATE TABLE IF NOT EXISTS %s (
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
          %s,
          -- claims: equality on state and priority, then runAfter order (id breaks ties, as
          -- InnoDB appends the primary key to every secondary index)
          KEY claim_order (state, priority, run_after),
          -- claim-timeout rescue and GC look for old rows of one state
          KEY state_updated (state, updated_at)
        ) ENGINE=InnoDB
        """
        .formatted(jobsTable(queue), String.join(",\n", EXTENSION_COLUMNS));
  }

  /**
   * Columns added for the extensions (unique jobs, expiry, attempt history). All nullable, so a
   * server of an earlier version, which names none of them, keeps inserting and updating rows
   * during a rolling upgrade. The job's own record of its key and expiry (lookups, scans, the
   * claim's expiry check); which job holds a key, and which jobs are to expire when, is kept in
   * the queue's keys and expiries tables.
   */
  static final List<String> EXTENSION_COLUMNS = List.of(
      // utf8mb4_nopad_bin: keys compare byte for byte (case, accents and trailing spaces all
      // count; plain utf8mb4_bin would ignore trailing spaces)
      "unique_key VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NULL",
      "expires_at BIGINT NULL",
      // JSON array of the last attempts, oldest first: [{"attempt":1,"at":…,"claimant":…,"status":…}]
      "attempt_history MEDIUMTEXT CHARACTER SET utf8mb4 NULL");

  /**
   * Which job holds each unique key. A row whose job is unfinished (PENDING or IN_PROGRESS) is
   * the key's one holder; a row whose job has finished or is gone is stale, and the next enqueue
   * of the key replaces it, so finishing a job costs no statement here. Enqueues and redrives
   * lock a key's row before they decide, which serializes everyone who gives a key a new holder;
   * a key with no row is taken by the INSERT of its row, and of two racers the second fails on
   * the primary key and tries again. Rows of pruned and deleted jobs are deleted with them.
   */
  static final String CREATE_KEYS_TABLE = """
      CREATE TABLE IF NOT EXISTS %s (
        unique_key VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL PRIMARY KEY,
        job_id BIGINT NOT NULL
      ) ENGINE=InnoDB""";

  /**
   * The expiry of every unfinished job that has one (and, until the sweep or GC deletes them, of
   * some finished ones): the sweep reads it soonest first. Written by the enqueue and the redrive
   * of such jobs only.
   */
  static final String CREATE_EXPIRIES_TABLE = """
      CREATE TABLE IF NOT EXISTS %s (
        job_id BIGINT NOT NULL PRIMARY KEY,
        expires_at BIGINT NOT NULL,
        KEY expires_at (expires_at)
      ) ENGINE=InnoDB""";

  /**
   * How far a jobs table is from this version's shape: extension columns it has (fewer than
   * {@link #EXTENSION_COLUMNS}: made by an older version), indexed virtual columns of the
   * version before the keys and expiries tables it still has, and how many of those two tables
   * exist. Binds: the jobs, keys and expiries table names, unquoted.
   */
  static final String TABLE_SHAPE =
      """
      SELECT
        (SELECT COUNT(*) FROM information_schema.COLUMNS
         WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?
           AND COLUMN_NAME IN ('unique_key', 'expires_at', 'attempt_history')),
        (SELECT COUNT(*) FROM information_schema.COLUMNS
         WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?
           AND COLUMN_NAME IN ('live_unique_key', 'pending_expires_at')),
        (SELECT COUNT(*) FROM information_schema.TABLES
         WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN (?, ?))
      """;

  /**
   * Upgrade of a jobs table made before the extension columns. IF NOT EXISTS (MariaDB) makes it
   * idempotent, also when two servers run it at once; adding nullable columns is instant in
   * MariaDB 10.11.
   */
  static String addExtensionColumns(QueueName queue) {
    StringBuilder sb = new StringBuilder("ALTER TABLE ").append(jobsTable(queue));
    String sep = " ";
    for (String col : EXTENSION_COLUMNS) {
      sb.append(sep).append("ADD COLUMN IF NOT EXISTS ").append(col);
      sep = ", ";
    }
    return sb.toString();
  }

  /**
   * Upgrade of a jobs table whose unique keys and expiries were indexed virtual columns (the
   * version before this one), step 1 of 3: the holders of keys, read through the old unique
   * index (unfinished jobs only). IGNORE: a second server upgrading at once copies the same rows.
   */
  static String copyOldKeys(QueueName queue) {
    return "INSERT IGNORE INTO %s (unique_key, job_id) SELECT unique_key, id FROM %s WHERE live_unique_key IS NOT NULL"
        .formatted(keysTable(queue), jobsTable(queue));
  }

  /** Step 2 of 3: the expiries of unfinished jobs. */
  static String copyOldExpiries(QueueName queue) {
    return """
        INSERT IGNORE INTO %s (job_id, expires_at)
        SELECT id, expires_at FROM %s WHERE state IN (0, 1) AND expires_at IS NOT NULL"""
        .formatted(expiriesTable(queue), jobsTable(queue));
  }

  /** Step 3 of 3: the old indexes and their virtual columns go (in place, no table copy). */
  static String dropOldIndexes(QueueName queue) {
    return """
        ALTER TABLE %s
          DROP INDEX IF EXISTS live_unique_key, DROP INDEX IF EXISTS pending_expiry,
          DROP COLUMN IF EXISTS live_unique_key, DROP COLUMN IF EXISTS pending_expires_at"""
        .formatted(jobsTable(queue));
  }

  static String dropQueueTables(QueueName queue) {
    return "DROP TABLE IF EXISTS " + jobsTable(queue) + ", " + keysTable(queue) + ", " + expiriesTable(queue);
  }

  /**
   * One row per job. A plain row (no unique key, no expiry: what PinLater clients send) binds
   * {@link #PLAIN_ROW_PARAMS} values, unique_key and expires_at being NULL literals; an extended
   * row binds those two as well ({@link #EXTENDED_ROW_PARAMS}). See JobWriter#bindNewJob for the
   * order. Tried and not kept: a plain row of 6 values whose attempts_remaining and updated_at
   * name the columns to their left (a value of an INSERT may): 1 µs/job less server CPU, but
   * mariadbd spent 18 instead of 13–14 µs/job on it with 5 concurrent 100-job enqueues on one
   * shard (README, "Results (2026-12-06 18:12 UTC)").
   */
  static String insertJobs(QueueName queue, int rows, boolean extended) {
    // One multi-row INSERT written out here rather than a JDBC batch the driver rewrites into
    // one: the driver's rewrite (sizing every bound value, copying each row's bindings into a
    // second statement) took a third of the server's CPU on a 100-job enqueue. One statement
    // is atomic in autocommit, and its rows get consecutive ids (JobWriter#consecutiveIds).
    // Rows without spaces: the driver parses (and caches, see ShardPool) every byte of the text.
    String row = extended ? "(?,0,?,?,?,?,?,?,?,?,?)" : "(?,0,?,?,?,?,?,?,?,NULL,NULL)";
    StringBuilder sb = new StringBuilder(200 + rows * (row.length() + 2)).append("""
        INSERT INTO %s (priority, state, run_after, attempts_allowed, attempts_remaining,
                        custom_status, created_at, updated_at, body, unique_key, expires_at)
        VALUES\s""".formatted(jobsTable(queue)));
    for (int r = 0; r < rows; r++) {
      sb.append(r == 0 ? "" : ",").append(row);
    }
    return sb.toString();
  }

  static final int PLAIN_ROW_PARAMS = 8;
  static final int EXTENDED_ROW_PARAMS = 10;
  /** The body's place among a row's parameters, in both shapes. */
  static final int BODY_PARAM = 8;

  // --- unique keys and expiries (see CREATE_KEYS_TABLE, CREATE_EXPIRIES_TABLE) ---

  /**
   * Which jobs the keys' rows name, locking the rows that exist (in key order, so two enqueues
   * of the same keys never deadlock). No gap locks under READ COMMITTED: a key without a row is
   * not protected, and is taken only by {@link #insertKeys}, which fails for the later of two racers.
   */
  static String lockKeys(QueueName queue, int keyCount) {
    return "SELECT unique_key, job_id FROM %s WHERE unique_key IN (%s) ORDER BY unique_key FOR UPDATE"
        .formatted(keysTable(queue), placeholders(keyCount));
  }

  /**
   * Which of these jobs are unfinished: those are the holders of their keys. A plain read (the
   * latest committed rows, no lock): a holder that finishes meanwhile only makes the answer
   * a moment old, and a job cannot become unfinished again without the key row locked.
   */
  static String unfinishedJobs(QueueName queue, int idCount) {
    return "SELECT id, priority FROM %s WHERE id IN (%s) AND state IN (0, 1)"
        .formatted(jobsTable(queue), placeholders(idCount));
  }

  /** Stale key rows (their jobs finished or gone), locked by {@link #lockKeys}, before new holders take them. */
  static String deleteKeys(QueueName queue, int keyCount) {
    return "DELETE FROM %s WHERE unique_key IN (%s)".formatted(keysTable(queue), placeholders(keyCount));
  }

  /** New holders. Binds per row: key, job id. */
  static String insertKeys(QueueName queue, int rows) {
    return "INSERT INTO %s (unique_key, job_id) VALUES %s"
        .formatted(keysTable(queue), String.join(",", Collections.nCopies(rows, "(?,?)")));
  }

  /**
   * Expiries of new or redriven jobs. IGNORE: a redriven job's row may still be there (the sweep
   * deletes rows of finished jobs only once their time has come). Binds per row: job id, expiry.
   */
  static String insertExpiries(QueueName queue, int rows) {
    return "INSERT IGNORE INTO %s (job_id, expires_at) VALUES %s"
        .formatted(expiriesTable(queue), String.join(",", Collections.nCopies(rows, "(?,?)")));
  }

  /**
   * The key rows of jobs about to be deleted. A row names only a job whose own key it is, so the
   * two lists select exactly those jobs' rows (and leave a key a newer job holds alone).
   */
  static String forgetKeys(QueueName queue, int keyCount, int idCount) {
    return "DELETE FROM %s WHERE unique_key IN (%s) AND job_id IN (%s)"
        .formatted(keysTable(queue), placeholders(keyCount), placeholders(idCount));
  }

  static String forgetExpiries(QueueName queue, int idCount) {
    return "DELETE FROM %s WHERE job_id IN (%s)".formatted(expiriesTable(queue), placeholders(idCount));
  }

  /**
   * The rows a redrive or a delete works on, locked: their keys and expiries go or come with
   * them. {@code where} is fixed text ({@link #REDRIVE_ALL} and friends, {@link #jobFilter}).
   */
  static String lockJobs(QueueName queue, String where, boolean limited) {
    return "SELECT id, unique_key, expires_at FROM %s WHERE %s%s FOR UPDATE"
        .formatted(jobsTable(queue), where, limited ? " ORDER BY id LIMIT ?" : "");
  }

  /** retryFailedJobs: FAILED jobs of one priority, oldest id first. Binds: priority (then the limit). */
  static final String REDRIVE_ALL = "state = 3 AND priority = ?";
  /** The dashboard's redrive of one job; the state check makes a repeat a no-op. Binds: id. */
  static final String REDRIVE_ONE = "id = ? AND state = 3";
  /** The dashboard's deletion of one job; never one a worker holds (IN_PROGRESS). Binds: id. */
  static final String DELETE_ONE = "id = ? AND state <> 1";

  /** Redrive of locked FAILED jobs. Binds: attempts, attempts, runAfter, now, the ids. */
  static String redrive(QueueName queue, int idCount) {
    return """
        UPDATE %s
        SET state = 0, attempts_allowed = ?, attempts_remaining = ?, run_after = ?, updated_at = ?
        WHERE id IN (%s) AND state = 3
        """
        .formatted(jobsTable(queue), placeholders(idCount));
  }

  static String deleteJobsById(QueueName queue, int idCount) {
    return "DELETE FROM %s WHERE id IN (%s)".formatted(jobsTable(queue), placeholders(idCount));
  }

  /**
   * The oldest runnable jobs of one priority, FIFO by runAfter (id breaks ties): a range read of
   * claim_order, a plain consistent read without row locks. Step 1 of a claim (its candidates,
   * ids only, past the {@code excluded} ids an earlier round saw; see {@link #lockCandidates})
   * and the dryRun dequeue (whole rows). Binds: priority, now, now, the excluded ids, limit.
   *
   * <p>Why no {@code FOR UPDATE SKIP LOCKED} here, the claim of earlier versions: a locking read
   * through a secondary index whose pages claims and acks keep rewriting checks every entry for
   * an implicit lock in the clustered record and its undo log: 4.7 ms for 137 rows (178
   * buffer-pool reads per job) against 1.7 ms (55) for this read plus {@link #lockCandidates}
   * (README, "Claim statement").
   */
  static String selectClaimable(QueueName queue, boolean idsOnly, int excluded) {
    return """
        SELECT %s FROM %s
        WHERE state = 0 AND priority = ? AND run_after <= ?
          -- an expired job is never handed out; the expiry sweep moves it to FAILED
          AND (expires_at IS NULL OR expires_at > ?)%s
        ORDER BY run_after, id
        LIMIT ?"""
        .formatted(idsOnly ? "id" : CLAIMED_COLUMNS, jobsTable(queue),
            excluded == 0 ? "" : "\n  AND id NOT IN (" + placeholders(excluded) + ")");
  }

  private static final String CLAIMED_COLUMNS = "id, attempts_allowed, attempts_remaining, body";

  /**
   * Step 2 of a claim, inside a READ COMMITTED transaction: locks the candidates of step 1
   * through the primary key, where a lock check reads the transaction id in the row itself.
   * SKIP LOCKED passes over a candidate another claim holds (concurrent claimers take different
   * rows instead of queueing behind each other's locks, as the original's unordered
   * UPDATE … LIMIT made them; and a claim never waits for a lock); a locking read sees the latest
   * committed row, so the conditions of step 1 are checked again on it (a candidate claimed and
   * failed back to PENDING since may now be due later; one may have expired). FORCE INDEX: with
   * {@code state = 0} beside the id list the optimizer could pick claim_order, the costly lock
   * path this step avoids. Binds: every id, now, now.
   */
  static String lockCandidates(QueueName queue, int ids) {
    return """
        SELECT %s FROM %s FORCE INDEX (PRIMARY)
        WHERE id IN (%s) AND state = 0 AND run_after <= ? AND (expires_at IS NULL OR expires_at > ?)
        ORDER BY run_after, id
        FOR UPDATE SKIP LOCKED"""
        .formatted(CLAIMED_COLUMNS, jobsTable(queue), placeholders(ids));
  }

  /**
   * The long-poll probe: for each priority 1..levels, up to {@code ?} runnable rows (one row per
   * job, the priority only). A UNION ALL of per-priority LIMIT probes rather than one GROUP BY:
   * each branch is a short range read of claim_order (state, priority, run_after) that stops at
   * its LIMIT, where a GROUP BY would read every PENDING row, future ones included. A plain
   * consistent read: no locks, so it never slows claims down.
   */
  static String runnableCounts(QueueName queue, int priorityLevels) {
    String one = "(SELECT priority FROM %s WHERE state = 0 AND priority = ? AND run_after <= ? LIMIT ?)"
        .formatted(jobsTable(queue));
    return String.join("\nUNION ALL\n", java.util.Collections.nCopies(priorityLevels, one));
  }

  /**
   * Step 3 of a claim: the rows are locked by step 2, so the state check is belt and braces.
   * {@code idsPerClaimant}: how many of the ids go to each claimant, when one coalesced claim
   * serves several dequeues. Binds: the claimant ({@link #claimantOf}), now, every id.
   */
  static String markClaimed(QueueName queue, List<Integer> idsPerClaimant) {
    return """
        UPDATE %s
        SET state = 1, attempts_remaining = attempts_remaining - 1, claim_descriptor = %s,
            updated_at = ?
        WHERE state = 0 AND id IN (%s)
        """
        .formatted(jobsTable(queue), claimantOf(idsPerClaimant), placeholders(total(idsPerClaimant)));
  }

  /**
   * Each row's claimant when one statement serves several (coalesced claims and acks): one
   * claimant binds its name; several bind, per claimant, its ids and then its name. A row in
   * none of the lists gets NULL (no ELSE), which equals nothing.
   */
  static String claimantOf(List<Integer> idsPerClaimant) {
    return idsPerClaimant.size() == 1 ? "?"
        : idsPerClaimant.stream().map(n -> "WHEN id IN (" + placeholders(n) + ") THEN ?")
            .collect(java.util.stream.Collectors.joining(" ", "CASE ", " END"));
  }

  private static int total(List<Integer> counts) {
    return counts.stream().mapToInt(Integer::intValue).sum();
  }

  /**
   * Undo of a claim that never reached its dequeuer. {@code claim_descriptor = ?}: a release that
   * comes late (the shard answered after the dequeue's deadline, the claim may have been rescued
   * and claimed again since) only touches rows still held by that claimant.
   */
  static String releaseClaims(QueueName queue, int idCount) {
    return """
        UPDATE %s
        SET state = 0, attempts_remaining = attempts_remaining + 1, updated_at = ?
        WHERE state = 1 AND claim_descriptor = ? AND id IN (%s)
        """
        .formatted(jobsTable(queue), placeholders(idCount));
  }

  /**
   * Success ack: only IN_PROGRESS rows of their claimant move, so a stray, repeated or late ack
   * (the job was rescued and claimed by someone else meanwhile) changes nothing. Several
   * claimants' acks share one statement when coalesced ({@link #claimantOf}). Binds: now, the
   * status text to append, the claimant(s), every id.
   */
  static String ackSucceeded(QueueName queue, List<Integer> idsPerClaimant) {
    return """
        UPDATE %s
        SET state = 2, updated_at = ?,
            custom_status = LEFT(CONCAT(custom_status, ?), 1000)
        WHERE state = 1 AND claim_descriptor = %s AND id IN (%s)
        """
        .formatted(jobsTable(queue), claimantOf(idsPerClaimant), placeholders(total(idsPerClaimant)));
  }

  /**
   * Appends one entry to attempt_history and keeps the last {@link Attempt#HISTORY_SIZE}: the
   * attempt number (the claim already used it), the time (bound), the claimant and the status
   * text (bound, cut to 500 characters). Reads only columns no SET clause before it assigns,
   * so it must come first in a SET list.
   */
  static final String APPEND_ATTEMPT = """
      attempt_history = JSON_ARRAY_APPEND(
          IF(JSON_LENGTH(COALESCE(attempt_history, '[]')) >= %d,
             JSON_REMOVE(attempt_history, '$[0]'),
             COALESCE(attempt_history, '[]')),
          '$',
          JSON_OBJECT('attempt', attempts_allowed - attempts_remaining, 'at', ?,
                      'claimant', claim_descriptor, 'status', LEFT(?, 500)))"""
      .formatted(Attempt.HISTORY_SIZE);

  /**
   * Failure ack: back to PENDING at the retry time while attempts remain (the claim already
   * used one) and the ack does not give up (first bound flag), FAILED otherwise; an attempt
   * entry is recorded either way. MySQL applies SET clauses left to right; no IF reads a
   * column assigned before it. The retry time is {@code now + delay}: with {@code policy}
   * false the delay is bound; with it true it is {@link io.hourglass.server.queue.RetryPolicy}
   * computed per row from the attempt number — min(max, base × 2^(attempt − 1)) × (1 − jitter
   * + 2 × jitter × RAND()) — so one statement acks a batch whatever attempts its jobs are at.
   * Parameter order: see JobWriter#ackFailed.
   */
  static String ackFailed(QueueName queue, int idCount, boolean policy) {
    String delay = policy
        ? """
          ROUND(LEAST(?, ? * POW(2, LEAST(GREATEST(attempts_allowed - attempts_remaining - 1, 0), %d)))
                * (1 - ? + 2 * ? * RAND()))""".formatted(io.hourglass.server.queue.RetryPolicy.MAX_EXPONENT)
        : "?";
    return """
        UPDATE %s
        SET %s,
            state = IF(? OR attempts_remaining <= 0, 3, 0),
            run_after = IF(? OR attempts_remaining <= 0, run_after, ? + %s),
            updated_at = ?,
            custom_status = LEFT(CONCAT(custom_status, ?), 1000)
        WHERE state = 1 AND claim_descriptor = ? AND id IN (%s)
        """
        .formatted(jobsTable(queue), APPEND_ATTEMPT, delay, placeholders(idCount));
  }

  /**
   * Checkpoint of one job, applied only for its claimant: {@code claim_descriptor = ?} is an
   * exact, case- and space-sensitive match (utf8mb4_bin), never a substring match. A move to
   * PENDING gives back the attempt its claim used, so cron-like jobs that reschedule themselves
   * do not run out of attempts. New attempts, when given, replace both counters as a client
   * counts them: a job that stays claimed is running one of them, and storage has already taken
   * that one (see JobState#visibleAttemptsRemaining). SET clauses apply left to right, so
   * attempts_remaining is computed from the old attempts_allowed.
   * Parameter order: see JobWriter#bindCheckpoint.
   */
  static String checkpoint(QueueName queue) {
    return """
        UPDATE %s
        SET body = COALESCE(?, body),
            attempts_remaining = CASE
                WHEN ? IS NOT NULL THEN ? - IF(?, 0, 1)
                WHEN ? THEN LEAST(attempts_remaining + 1, attempts_allowed)
                ELSE attempts_remaining END,
            attempts_allowed = COALESCE(?, attempts_allowed),
            run_after = IF(?, ?, run_after),
            state = IF(?, 0, state),
            custom_status = IF(? IS NULL, custom_status, LEFT(CONCAT(?, custom_status), 1000)),
            updated_at = ?
        WHERE id = ? AND state = 1 AND claim_descriptor = ?
        """
        .formatted(jobsTable(queue));
  }

  /**
   * The WHERE clause shared by count, scan and delete. Only fixed text is added here; the
   * values (state, priority, time, regex) are bound by JobInspector#bindFilter.
   * {@code body REGEXP ?}: the pattern is a bound value, never SQL text.
   */
  static String jobFilter(boolean byPriority, Boolean future, boolean byRegex) {
    StringBuilder where = new StringBuilder("state = ?");
    if (byPriority) {
      where.append(" AND priority = ?");
    }
    if (future != null) {
      where.append(future ? " AND run_after > ?" : " AND run_after <= ?");
    }
    if (byRegex) {
      where.append(" AND body REGEXP ?");
    }
    return where.toString();
  }

  static String count(QueueName queue, String filter) {
    return "SELECT COUNT(*) FROM " + jobsTable(queue) + " WHERE " + filter;
  }

  /**
   * One shard's page of a scan, newest runAfter first; ties broken by id, also descending, so
   * (run_after, shard, id) is a total order and a continuation resumes exactly after the last
   * job returned. {@code afterClause} is one of {@link #SCAN_AFTER_SAME_SHARD} and friends.
   */
  static String scan(QueueName queue, String filter, String afterClause) {
    return """
        SELECT id, priority, state, run_after, attempts_allowed, attempts_remaining,
               custom_status, claim_descriptor, created_at, updated_at, unique_key, expires_at
        FROM %s WHERE %s%s
        ORDER BY run_after DESC, id DESC
        LIMIT ?
        """
        .formatted(jobsTable(queue), filter, afterClause);
  }

  /** Scan continuation on the shard of the last job: strictly after (run_after, id). */
  static final String SCAN_AFTER_SAME_SHARD = " AND (run_after < ? OR (run_after = ? AND id < ?))";
  /** On a shard ordered before the last job's shard: same run_after is still to come. */
  static final String SCAN_AFTER_LOWER_SHARD = " AND run_after <= ?";
  /** On a shard ordered after the last job's shard: same run_after was already returned. */
  static final String SCAN_AFTER_HIGHER_SHARD = " AND run_after < ?";

  static String lookup(QueueName queue, int idCount, boolean includeBody) {
    return """
        SELECT id, priority, state, run_after, attempts_allowed, attempts_remaining,
               custom_status, claim_descriptor, created_at, updated_at, unique_key, expires_at,
               attempt_history%s
        FROM %s WHERE id IN (%s)
        """
        .formatted(includeBody ? ", body" : "", jobsTable(queue), placeholders(idCount));
  }

  /**
   * The per-statement time limit of one pooled connection's session, set once when it opens. The
   * shard stops (and rolls back) a statement that runs longer, with ER_STATEMENT_TIMEOUT (MariaDB
   * 1969) or ER_QUERY_TIMEOUT (MySQL 3024). MariaDB counts in seconds and applies it to every
   * statement; MySQL counts in milliseconds and only to read-only SELECTs, which are what a
   * regex count or scan runs.
   */
  static String statementTimeLimit(boolean mariaDb, long millis) {
    return mariaDb
        ? "SET SESSION max_statement_time = " + java.math.BigDecimal.valueOf(millis, 3).toPlainString()
        : "SET SESSION max_execution_time = " + millis;
  }

  /**
   * Explicit transaction bounds, sent as statements while the connection stays in autocommit:
   * {@code setAutoCommit(false)} would cost a {@code SET autocommit=0} before and HikariCP's
   * {@code SET autocommit=1} reset after every claim, two statements of the five it used to take.
   */
  static final String START_TRANSACTION = "START TRANSACTION";
  static final String COMMIT = "COMMIT";
  static final String ROLLBACK = "ROLLBACK";

  /**
   * A claim's transaction in two round trips instead of four: START TRANSACTION travels in one
   * text with the claim's first locking SELECT ({@link #lockCandidates},
   * {@link #startingTransaction}) and COMMIT with its UPDATE ({@link #thenCommit}); the pool's
   * driver allows multi-statement texts ({@code allowMultiQueries}). The shard runs a text's statements in order and stops at the
   * first error, so a COMMIT never follows a failed UPDATE. Only validated identifiers and
   * placeholders go into these texts, like every other.
   */
  static String startingTransaction(String statement) {
    return START_TRANSACTION + ";\n" + statement;
  }

  static String thenCommit(String statement) {
    return statement + ";\n" + COMMIT;
  }

  /** Whether multi-row INSERTs get consecutive auto-increment ids (lock mode 0 or 1). */
  static final String AUTOINC_SETTINGS =
      "SELECT @@innodb_autoinc_lock_mode, @@auto_increment_increment";

  // --- maintenance ---

  /** Health probe: a statement every shard answers at once when it is alive. */
  static final String PROBE = "SELECT 1";

  /**
   * Claim-timeout rescue, step 1: expired claims with no attempt left end FAILED. Runs before
   * step 2 so a job is never rescued twice in one pass. The (state, updated_at) index gives the
   * rows in order without a sort.
   */
  static String rescueToFailed(QueueName queue) {
    return """
        UPDATE %s
        SET %s, state = 3, updated_at = ?
        WHERE state = 1 AND updated_at < ? AND attempts_remaining <= 0
        ORDER BY updated_at
        LIMIT ?
        """
        .formatted(jobsTable(queue), APPEND_ATTEMPT);
  }

  /**
   * Claim-timeout rescue, step 2: expired claims with attempts left run again. The claim
   * already used its attempt, so attempts_remaining stays as it is; run_after is not moved, so
   * the job keeps its place (it is overdue) in claim order.
   */
  static String rescueToPending(QueueName queue) {
    return """
        UPDATE %s
        SET %s, state = 0, updated_at = ?
        WHERE state = 1 AND updated_at < ? AND attempts_remaining > 0
        ORDER BY updated_at
        LIMIT ?
        """
        .formatted(jobsTable(queue), APPEND_ATTEMPT);
  }

  /**
   * Expiry sweep, step 1: expiries whose time has come, soonest first, from the expiries table,
   * with their job's state (NULL: the job is gone). A plain read, no lock; most cycles it finds
   * nothing and the sweep costs this one statement. Jobs IN_PROGRESS are left out: a claim
   * already has them, and one that comes back to PENDING is read again by a later sweep.
   * Binds: now, limit.
   */
  static String dueExpiries(QueueName queue) {
    return """
        SELECT e.job_id, j.state FROM %s e LEFT JOIN %s j ON j.id = e.job_id
        WHERE e.expires_at <= ? AND (j.state IS NULL OR j.state <> 1)
        ORDER BY e.expires_at
        LIMIT ?"""
        .formatted(expiriesTable(queue), jobsTable(queue));
  }

  /**
   * Expiry sweep, step 2 (in a transaction): the jobs of step 1 locked through the primary key,
   * with their latest committed state. SKIP LOCKED: a row a claim holds right now is left to
   * that claim, which does not hand out expired jobs either, and to a later sweep.
   */
  static String lockForExpiry(QueueName queue, int idCount) {
    return """
        SELECT id, state, expires_at FROM %s FORCE INDEX (PRIMARY)
        WHERE id IN (%s)
        FOR UPDATE SKIP LOCKED"""
        .formatted(jobsTable(queue), placeholders(idCount));
  }

  /**
   * Expiry sweep, step 2, per job: FAILED, "expired at …" (bound) in front of the old status,
   * expiry cleared so that a redrive (retry-failed) runs it like any failed job.
   */
  static String markExpired(QueueName queue) {
    return """
        UPDATE %s
        SET state = 3, expires_at = NULL, updated_at = ?,
            custom_status = LEFT(CONCAT(?, IF(custom_status = '', '', '; '), custom_status), 1000)
        WHERE id = ? AND state = 0
        """
        .formatted(jobsTable(queue));
  }

  /**
   * GC, step 1: the ids of one final state's oldest jobs, a plain read. One state per statement
   * (not {@code state IN (2, 3)}): an equality on state lets the (state, updated_at) index
   * deliver rows in order, where IN over two ranges would sort every matching row to find the
   * first n. Binds: state, cutoff, limit.
   */
  static String finishedBefore(QueueName queue) {
    return """
        SELECT id FROM %s
        WHERE state = ? AND updated_at < ?
        ORDER BY updated_at
        LIMIT ?"""
        .formatted(jobsTable(queue));
  }

  /**
   * GC, step 2 (in a transaction): those jobs locked through the primary key, the conditions
   * checked again on the latest committed rows (a job redriven since is no longer FAILED).
   * Binds: the ids, state, cutoff.
   */
  static String lockFinished(QueueName queue, int idCount) {
    return """
        SELECT id, unique_key, expires_at FROM %s FORCE INDEX (PRIMARY)
        WHERE id IN (%s) AND state = ? AND updated_at < ?
        FOR UPDATE"""
        .formatted(jobsTable(queue), placeholders(idCount));
  }

  /** PENDING and IN_PROGRESS jobs of one queue: the claim_order index covers it. */
  static String countUnfinished(QueueName queue) {
    return "SELECT COUNT(*) FROM " + jobsTable(queue) + " WHERE state IN (0, 1)";
  }

  /** When each maintenance task last ran on this shard (read and written under its lock). */
  static final String CREATE_MAINTENANCE_RUNS =
      """
      CREATE TABLE IF NOT EXISTS hourglass_maintenance (
        task VARCHAR(40) CHARACTER SET ascii NOT NULL PRIMARY KEY,
        last_run_at BIGINT NOT NULL,
        server_id VARCHAR(200) CHARACTER SET utf8mb4 NOT NULL
      ) ENGINE=InnoDB
      """;

  /**
   * Non-blocking (timeout 0): a server that does not get the lock skips this cycle instead of
   * queueing behind the holder. Returns 1 (got it), 0 (held elsewhere) or NULL (error). The
   * lock belongs to this connection and dies with it, so a crashed holder frees it.
   */
  static final String GET_LOCK = "SELECT GET_LOCK(?, 0)";

  static final String RELEASE_LOCK = "SELECT RELEASE_LOCK(?)";

  static final String LAST_MAINTENANCE_RUN = "SELECT last_run_at FROM hourglass_maintenance WHERE task = ?";

  static final String RECORD_MAINTENANCE_RUN =
      """
      INSERT INTO hourglass_maintenance (task, last_run_at, server_id) VALUES (?, ?, ?)
      ON DUPLICATE KEY UPDATE last_run_at = VALUES(last_run_at), server_id = VALUES(server_id)
      """;

  /** Live servers, for sharing per-queue dequeue rate limits; on the first healthy shard. */
  static final String CREATE_SERVERS =
      """
      CREATE TABLE IF NOT EXISTS hourglass_servers (
        server_id VARCHAR(200) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL PRIMARY KEY,
        heartbeat_at BIGINT NOT NULL,
        KEY heartbeat_at (heartbeat_at)
      ) ENGINE=InnoDB
      """;

  static final String HEARTBEAT =
      """
      INSERT INTO hourglass_servers (server_id, heartbeat_at) VALUES (?, ?)
      ON DUPLICATE KEY UPDATE heartbeat_at = VALUES(heartbeat_at)
      """;

  static final String COUNT_LIVE_SERVERS = "SELECT COUNT(*) FROM hourglass_servers WHERE heartbeat_at >= ?";

  /** Rows of servers gone long ago (crashed without leaving); keeps the table small. */
  static final String FORGET_DEAD_SERVERS = "DELETE FROM hourglass_servers WHERE heartbeat_at < ?";

  static final String LEAVE = "DELETE FROM hourglass_servers WHERE server_id = ?";

  // --- dashboard (DashboardSql) ---

  /**
   * Background job counts of one queue on this shard: one GROUP BY over the claim_order index
   * (state, priority, run_after), which covers every column read, so InnoDB walks the index
   * only ("Using index" in EXPLAIN), never the rows and their bodies. SUM(run_after > ?) counts
   * the PENDING jobs still in the future; MIN(run_after) of PENDING is the oldest runnable job
   * when it is at or before now.
   */
  static String countByStatePriority(QueueName queue) {
    return """
        SELECT state, priority, COUNT(*), SUM(run_after > ?), MIN(run_after)
        FROM %s
        GROUP BY state, priority
        """.formatted(jobsTable(queue));
  }

  /**
   * Oldest claim of the queue on this shard: the first entry of state 1 in the
   * (state, updated_at) index ("Select tables optimized away"); per shard, not per priority,
   * because a per-priority minimum would have to read the rows.
   */
  static String oldestClaim(QueueName queue) {
    return "SELECT MIN(updated_at) FROM " + jobsTable(queue) + " WHERE state = 1";
  }

  /** The counts of one queue as last refreshed, one row per (state, priority) with jobs. */
  static final String CREATE_QUEUE_COUNTS =
      """
      CREATE TABLE IF NOT EXISTS hourglass_queue_counts (
        queue VARCHAR(60) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
        state TINYINT NOT NULL,
        priority TINYINT NOT NULL,
        jobs BIGINT NOT NULL,
        future_jobs BIGINT NOT NULL,
        oldest_run_after BIGINT NULL,
        oldest_claim BIGINT NULL,
        counted_at BIGINT NOT NULL,
        PRIMARY KEY (queue, state, priority)
      ) ENGINE=InnoDB
      """;

  static final String DELETE_QUEUE_COUNTS = "DELETE FROM hourglass_queue_counts WHERE queue = ?";

  static final String INSERT_QUEUE_COUNT =
      """
      INSERT INTO hourglass_queue_counts
        (queue, state, priority, jobs, future_jobs, oldest_run_after, oldest_claim, counted_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?)
      """;

  /** The join drops the rows of queues deleted since they were counted. */
  static final String STORED_COUNTS =
      """
      SELECT c.queue, c.state, c.priority, c.jobs, c.future_jobs, c.oldest_run_after, c.oldest_claim,
             c.counted_at
      FROM hourglass_queue_counts c JOIN hourglass_queues q ON q.name = c.queue
      """;

  /** Operator pauses; every server reads them each config poll, the latest change wins. */
  static final String CREATE_QUEUE_PAUSES =
      """
      CREATE TABLE IF NOT EXISTS hourglass_queue_pauses (
        queue VARCHAR(60) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
        paused TINYINT NOT NULL,
        changed_at BIGINT NOT NULL,
        changed_by VARCHAR(200) CHARACTER SET utf8mb4 NOT NULL
      ) ENGINE=InnoDB
      """;

  static final String STORE_PAUSE =
      """
      INSERT INTO hourglass_queue_pauses (queue, paused, changed_at, changed_by) VALUES (?, ?, ?, ?)
      ON DUPLICATE KEY UPDATE paused = VALUES(paused), changed_at = VALUES(changed_at),
                              changed_by = VALUES(changed_by)
      """;

  static final String LIST_PAUSES = "SELECT queue, paused, changed_at, changed_by FROM hourglass_queue_pauses";

  static final String LIST_MAINTENANCE_RUNS = "SELECT task, last_run_at, server_id FROM hourglass_maintenance";

  static final String LIST_SERVERS = "SELECT server_id, heartbeat_at FROM hourglass_servers";

  // --- schedules (on one shard, see schedule.Schedules) ---

  static final String CREATE_SCHEDULES =
      """
      CREATE TABLE IF NOT EXISTS hourglass_schedules (
        id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
        queue VARCHAR(60) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
        cron VARCHAR(200) CHARACTER SET ascii NULL,
        zone VARCHAR(64) CHARACTER SET ascii NULL,
        interval_millis BIGINT NULL,
        body MEDIUMBLOB NOT NULL,
        priority TINYINT NOT NULL,
        attempts_allowed INT NOT NULL,
        -- the tick the schedule owes next; moved forward only by a compare-and-set
        next_fire_at BIGINT NOT NULL,
        created_at BIGINT NOT NULL,
        KEY next_fire_at (next_fire_at),
        KEY queue (queue)
      ) ENGINE=InnoDB
      """;

  static final String INSERT_SCHEDULE =
      """
      INSERT INTO hourglass_schedules (queue, cron, zone, interval_millis, body, priority, attempts_allowed,
                                       next_fire_at, created_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
      """;

  private static final String SCHEDULE_COLUMNS =
      "id, queue, cron, zone, interval_millis, body, priority, attempts_allowed, next_fire_at, created_at";

  static final String LIST_SCHEDULES = "SELECT " + SCHEDULE_COLUMNS + " FROM hourglass_schedules ORDER BY id";

  static final String LIST_QUEUE_SCHEDULES =
      "SELECT " + SCHEDULE_COLUMNS + " FROM hourglass_schedules WHERE queue = ? ORDER BY id";

  static final String DUE_SCHEDULES =
      "SELECT " + SCHEDULE_COLUMNS + " FROM hourglass_schedules WHERE next_fire_at <= ? ORDER BY next_fire_at LIMIT ?";

  static final String DELETE_SCHEDULE = "DELETE FROM hourglass_schedules WHERE id = ?";

  /**
   * Compare-and-set of the next tick: only the server that read {@code next_fire_at = ?} moves
   * it, so a tick is advanced once however many servers saw it due.
   */
  static final String ADVANCE_SCHEDULE =
      "UPDATE hourglass_schedules SET next_fire_at = ? WHERE id = ? AND next_fire_at = ?";

  static String placeholders(int count) {
    if (count < 1) {
      throw new IllegalArgumentException("an IN list needs at least one id");
    }
    return String.join(",", Collections.nCopies(count, "?"));
  }
}
