package io.hourglass.server.mysql;

import com.mysql.cj.jdbc.JdbcConnection;
import com.mysql.cj.jdbc.StatementImpl;
import io.hourglass.server.queue.Ack;
import io.hourglass.server.queue.Checkpoint;
import io.hourglass.server.queue.EnqueuedJob;
import io.hourglass.server.queue.JobDescriptor;
import io.hourglass.server.queue.NewJob;
import io.hourglass.server.queue.QueueName;
import io.hourglass.server.queue.RetryPolicy;
import java.io.ByteArrayInputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Writes of the job lifecycle on one shard, claims aside: enqueue, acks and checkpoints. */
final class JobWriter {
  /** Tries of a keyed batch that loses races for keys without a row (or deadlocks) before it gives up. */
  static final int RACE_TRIES = 8;

  /** At most this many jobs in one coalesced INSERT (with the body-size bound below). */
  static final int MAX_COALESCED_JOBS = 1000;

  /**
   * Requests of at least this many jobs insert on their own: their statement is already large,
   * and side by side they keep more than one of the shard's cores busy, where coalesced they
   * would queue behind one statement at a time.
   */
  static final int COALESCE_BELOW_JOBS = 50;

  /**
   * Bodies from this size on travel as binary long data through a server-side prepared
   * statement, one row per statement. Below it they go in a client-side multi-row INSERT, which
   * the driver sends with every body hex-escaped — twice its size — so that with MariaDB's
   * default max_allowed_packet (16 MiB) a body of 8 MiB could not be stored.
   */
  static final int STREAMED_BODY_BYTES = 1024 * 1024;

  private final ShardSql sql;
  private final QueueTables tables;
  private final EnqueueCoalescer<JobDescriptor> coalescer;
  private final EnqueueCoalescer<EnqueuedJob> keyedCoalescer;
  private final AckCoalescer ackCoalescer;
  private final ServerPreparedInserts inserts = new ServerPreparedInserts();
  private final KeysAndExpiries keysAndExpiries;

  JobWriter(ShardSql sql, QueueTables tables, KeysAndExpiries keysAndExpiries) {
    this.sql = sql;
    this.tables = tables;
    this.keysAndExpiries = keysAndExpiries;
    this.coalescer = new EnqueueCoalescer<>(
        (queue, jobs) -> sql.run(queue, c -> insertAll(c, queue, jobs, sql.nowMillis())),
        MAX_COALESCED_JOBS, ONE_STATEMENT_BODY_BYTES);
    this.keyedCoalescer = new EnqueueCoalescer<>(this::insertInTransaction, MAX_COALESCED_JOBS, ONE_STATEMENT_BODY_BYTES);
    this.ackCoalescer = new AckCoalescer(
        (queue, idsByClaimant) -> sql.run(queue, c -> ackSucceeded(c, queue, "", idsByClaimant)));
  }

  /**
   * Jobs without a unique key or an expiry (what PinLater clients send) go in one multi-row
   * INSERT in autocommit, coalesced with other small requests when they can be. Any other batch
   * is one transaction: lock the rows of its keys and read their holders
   * ({@link KeysAndExpiries#holders}), insert un-keyed jobs and the first job of each free key,
   * then the key and expiry rows of what was stored. A concurrent enqueue that takes a key that
   * had no row makes the key INSERT fail; the transaction is rolled back and the loop goes round
   * again (so do deadlocks), and the next round finds that key held. Small such batches of
   * concurrent requests share one transaction (a later request's job whose key an earlier one's
   * job takes in it is answered with that job, as if it had come after).
   */
  List<EnqueuedJob> enqueue(QueueName queue, List<NewJob> jobs) {
    sql.ensureSchema();
    tables.ensureCurrent(queue);
    long now = sql.nowMillis();
    long bodyBytes = totalBodyBytes(jobs);
    boolean plain = jobs.stream().allMatch(j -> j.uniqueKey() == null && j.expiresAtMillis() == null);
    boolean oneStatement = plain && (jobs.size() == 1 || sql.consecutiveIds())
        && bodyBytes < ONE_STATEMENT_BODY_BYTES
        && jobs.stream().allMatch(j -> j.body().length < STREAMED_BODY_BYTES);
    if (oneStatement) {
      // One multi-row INSERT: atomic in autocommit. Its rows get consecutive ids, so
      // concurrent requests can share one.
      List<JobDescriptor> stored = sql.consecutiveIds() && jobs.size() < COALESCE_BELOW_JOBS
          ? coalescer.enqueue(queue, jobs, bodyBytes)
          : sql.run(queue, c -> insertAll(c, queue, jobs, now));
      return stored.stream().map(EnqueuedJob::stored).toList();
    }
    return jobs.size() < COALESCE_BELOW_JOBS && bodyBytes < ONE_STATEMENT_BODY_BYTES
        ? keyedCoalescer.enqueue(queue, jobs, bodyBytes)
        : insertInTransaction(queue, jobs);
  }

  /** A batch with keys, expiries or large bodies: one transaction, tried again when it loses a race. */
  private List<EnqueuedJob> insertInTransaction(QueueName queue, List<NewJob> jobs) {
    long now = sql.nowMillis();
    return sql.run(queue, c -> ShardSql.inTransactionRetryingRaces(c, RACE_TRIES,
        tx -> insertWithRowsBeside(tx, queue, jobs, now)));
  }

  /** One try of a batch with keys, expiries or large bodies, in the caller's transaction. */
  private List<EnqueuedJob> insertWithRowsBeside(Connection tx, QueueName queue, List<NewJob> jobs, long now)
      throws SQLException {
    List<String> keys = jobs.stream().map(NewJob::uniqueKey).filter(java.util.Objects::nonNull).distinct().toList();
    Map<String, JobDescriptor> holders = keysAndExpiries.holders(tx, queue, keys);
    List<EnqueuedJob> out = insertFree(tx, queue, jobs, holders, now);
    Map<String, Long> taken = new LinkedHashMap<>();
    Map<Long, Long> expiries = new LinkedHashMap<>();
    for (int i = 0; i < jobs.size(); i++) {
      if (out.get(i).existing()) {
        continue;
      }
      NewJob job = jobs.get(i);
      long id = out.get(i).descriptor().localId();
      if (job.uniqueKey() != null) {
        taken.put(job.uniqueKey(), id);
      }
      if (job.expiresAtMillis() != null) {
        expiries.put(id, job.expiresAtMillis());
      }
    }
    keysAndExpiries.take(tx, queue, taken);
    keysAndExpiries.addExpiries(tx, queue, expiries);
    return out;
  }

  /** Every job, in one multi-row INSERT (the caller checked it fits one statement). */
  private List<JobDescriptor> insertAll(Connection c, QueueName queue, List<NewJob> jobs, long now)
      throws SQLException {
    EnqueuedJob[] out = new EnqueuedJob[jobs.size()];
    List<Integer> all = java.util.stream.IntStream.range(0, jobs.size()).boxed().toList();
    insertBatched(c, queue, jobs, all, now, out);
    return Arrays.stream(out).map(EnqueuedJob::descriptor).toList();
  }

  /**
   * Below this many body bytes a batch surely fits one multi-row INSERT (bodies travel
   * hex-escaped, twice their size, and MariaDB's default max_allowed_packet is 16 MiB); above
   * it a batch is split into several INSERTs (insertBatched), which then need a transaction.
   */
  static final int ONE_STATEMENT_BODY_BYTES = 4 * 1024 * 1024;

  private static long totalBodyBytes(List<NewJob> jobs) {
    long n = 0;
    for (NewJob j : jobs) {
      n += j.body().length;
    }
    return n;
  }

  /** Inserts every job whose key is not in {@code holders}; the others point at their holder. */
  private List<EnqueuedJob> insertFree(Connection c, QueueName queue, List<NewJob> jobs,
      Map<String, JobDescriptor> holders, long now) throws SQLException {
    EnqueuedJob[] out = new EnqueuedJob[jobs.size()];
    Map<String, Integer> firstOfKey = new LinkedHashMap<>();
    List<Integer> toInsert = new ArrayList<>();
    for (int i = 0; i < jobs.size(); i++) {
      String key = jobs.get(i).uniqueKey();
      if (key == null) {
        toInsert.add(i);
      } else if (holders.containsKey(key)) {
        out[i] = EnqueuedJob.existing(holders.get(key));
      } else if (firstOfKey.putIfAbsent(key, i) == null) {
        toInsert.add(i);
      }
    }
    if (!toInsert.isEmpty()) {
      insertBatch(c, queue, jobs, toInsert, now, out);
    }
    // Later jobs of a key taken by an earlier job of this same batch.
    for (int i = 0; i < jobs.size(); i++) {
      if (out[i] == null) {
        out[i] = EnqueuedJob.existing(out[firstOfKey.get(jobs.get(i).uniqueKey())].descriptor());
      }
    }
    return Arrays.asList(out);
  }

  /** Small bodies in multi-row INSERTs, large ones one by one as binary long data. */
  private void insertBatch(
      Connection c, QueueName queue, List<NewJob> jobs, List<Integer> which, long now, EnqueuedJob[] out)
      throws SQLException {
    List<Integer> batched = which.stream().filter(i -> jobs.get(i).body().length < STREAMED_BODY_BYTES).toList();
    if (!batched.isEmpty()) {
      insertBatched(c, queue, jobs, batched, now, out);
    }
    for (int i : which) {
      if (jobs.get(i).body().length >= STREAMED_BODY_BYTES) {
        out[i] = EnqueuedJob.stored(insertStreamed(c, queue, jobs.get(i), now));
      }
    }
    for (int i : which) {
      if (out[i] == null) {
        throw new SQLException("expected " + which.size() + " generated ids, some are missing");
      }
    }
  }

  /**
   * With consecutive ids: multi-row INSERTs of the jobs in {@code which}, as few as the body
   * bound allows (one when the caller checked the batch fits one statement). Without: one
   * INSERT per job, since only a single-row INSERT's generated id is then known.
   */
  private void insertBatched(
      Connection c, QueueName queue, List<NewJob> jobs, List<Integer> which, long now, EnqueuedJob[] out)
      throws SQLException {
    if (!sql.consecutiveIds()) {
      for (int k = 0; k < which.size(); k++) {
        insertRows(c, queue, jobs, which, k, k + 1, now, out);
      }
      return;
    }
    int from = 0;
    long bytes = 0;
    for (int k = 0; k < which.size(); k++) {
      long body = jobs.get(which.get(k)).body().length;
      if (k > from && bytes + body >= ONE_STATEMENT_BODY_BYTES) {
        insertRows(c, queue, jobs, which, from, k, now, out);
        from = k;
        bytes = 0;
      }
      bytes += body;
    }
    insertRows(c, queue, jobs, which, from, which.size(), now, out);
  }

  /**
   * One INSERT of the jobs {@code which[from..to)}; their ids go to {@code out}.
   *
   * <p>Measured with a profiler (JFR), 100-job enqueues on 2 shards: the driver's per-value work
   * was most of the server's CPU. Clearing the 1,000 parameters of a cached statement after each
   * use took a fifth of it (and made the driver send every parameter's type again on the next
   * execute), building the execute packet a quarter, reading the generated keys back as a result
   * set a twentieth. So rows bind no value their shape does not need
   * ({@link MySqlQueries#insertJobs}), parameters are cleared only after a statement that held
   * large bodies, and the ids are computed from the first one (consecutive, see
   * {@link ShardSql#consecutiveIds}; a single-row INSERT otherwise).
   */
  private void insertRows(Connection c, QueueName queue, List<NewJob> jobs, List<Integer> which, int from, int to,
      long now, EnqueuedJob[] out) throws SQLException {
    int rows = to - from;
    boolean extended = false;
    long bodyBytes = 0;
    for (int k = from; k < to; k++) {
      NewJob job = jobs.get(which.get(k));
      extended |= job.uniqueKey() != null || job.expiresAtMillis() != null;
      bodyBytes += job.body().length;
    }
    int perRow = extended ? MySqlQueries.EXTENDED_ROW_PARAMS : MySqlQueries.PLAIN_ROW_PARAMS;
    // Cached and reused (not closed here): see ServerPreparedInserts.
    PreparedStatement ps = inserts.statement(c, new ServerPreparedInserts.Shape(queue, rows, extended));
    try {
      for (int r = 0; r < rows; r++) {
        NewJob job = jobs.get(which.get(from + r));
        int offset = r * perRow;
        bindNewJob(ps, offset, job, now, extended);
        ps.setBytes(offset + MySqlQueries.BODY_PARAM, job.body());
      }
      if (ps.executeUpdate() != rows) {
        throw new SQLException("inserted fewer rows than the " + rows + " asked for");
      }
      long firstId = ps.unwrap(StatementImpl.class).getLastInsertID();
      for (int r = 0; r < rows; r++) {
        int i = which.get(from + r);
        out[i] = EnqueuedJob.stored(new JobDescriptor(queue, sql.shardId(), jobs.get(i).priority(), firstId + r));
      }
    } finally {
      if (bodyBytes >= CLEAR_PARAMETERS_FROM_BODY_BYTES) {
        ps.clearParameters(); // else the cached statement would keep up to 4 MiB of bodies alive
      }
    }
  }

  /**
   * A cached INSERT keeps the bodies it last sent until its next use: at most this much each
   * (32 statements per connection, ServerPreparedInserts); larger ones are cleared at once.
   */
  static final int CLEAR_PARAMETERS_FROM_BODY_BYTES = 64 * 1024;

  /** One job with a large body: the body goes as binary long data, in chunks (see STREAMED_BODY_BYTES). */
  private JobDescriptor insertStreamed(Connection c, QueueName queue, NewJob job, long now) throws SQLException {
    try (PreparedStatement ps = serverPrepared(c, MySqlQueries.insertJobs(queue, 1, true))) {
      bindNewJob(ps, 0, job, now, true);
      ps.setBinaryStream(MySqlQueries.BODY_PARAM, new ByteArrayInputStream(job.body()), job.body().length);
      ps.executeUpdate();
      return new JobDescriptor(queue, sql.shardId(), job.priority(), ps.unwrap(StatementImpl.class).getLastInsertID());
    }
  }

  /**
   * A server-side prepared statement, whatever the pool's default: only there does the driver
   * send stream parameters as binary long data instead of inlining them hex-escaped.
   */
  private static PreparedStatement serverPrepared(Connection c, String statement) throws SQLException {
    return c.unwrap(JdbcConnection.class).serverPrepareStatement(statement);
  }

  /**
   * Binds one row of {@link MySqlQueries#insertJobs} but its body ({@link MySqlQueries#BODY_PARAM}),
   * the row's parameters starting after {@code offset}.
   */
  private static void bindNewJob(PreparedStatement ps, int offset, NewJob job, long now, boolean extended)
      throws SQLException {
    ps.setInt(offset + 1, job.priority());
    ps.setLong(offset + 2, job.runAfterMillis());
    ps.setInt(offset + 3, job.attemptsAllowed());
    ps.setInt(offset + 4, job.attemptsAllowed());
    ps.setString(offset + 5, job.customStatus());
    ps.setLong(offset + 6, now);
    ps.setLong(offset + 7, now);
    if (extended) {
      ps.setString(offset + 9, job.uniqueKey());
      if (job.expiresAtMillis() == null) {
        ps.setNull(offset + 10, java.sql.Types.BIGINT);
      } else {
        ps.setLong(offset + 10, job.expiresAtMillis());
      }
    }
  }

  /**
   * One statement per distinct status text; workers almost always send none, and acks without
   * one are coalesced with other requests' ({@link AckCoalescer}).
   */
  int ackSucceeded(QueueName queue, String claimant, List<Ack> acks) {
    if (acks.isEmpty()) {
      return 0;
    }
    sql.ensureSchema();
    Map<String, List<Long>> byStatus = new LinkedHashMap<>();
    for (Ack a : acks) {
      byStatus.computeIfAbsent(a.appendCustomStatus(), k -> new ArrayList<>()).add(a.descriptor().localId());
    }
    if (byStatus.size() == 1 && byStatus.containsKey("")) {
      return ackCoalescer.ack(queue, claimant, byStatus.get(""));
    }
    return sql.run(queue, c -> {
      int moved = 0;
      for (Map.Entry<String, List<Long>> e : byStatus.entrySet()) {
        moved += ackSucceeded(c, queue, e.getKey(), Map.of(claimant, e.getValue()));
      }
      return moved;
    });
  }

  private int ackSucceeded(Connection c, QueueName queue, String status, Map<String, List<Long>> idsByClaimant)
      throws SQLException {
    List<Integer> sizes = idsByClaimant.values().stream().map(List::size).toList();
    try (PreparedStatement ps = c.prepareStatement(MySqlQueries.ackSucceeded(queue, sizes))) {
      ps.setLong(1, sql.nowMillis());
      ps.setString(2, status);
      int i = ShardSql.bindClaimants(ps, 3, idsByClaimant);
      ShardSql.bindIds(ps, i, idsByClaimant.values().stream().flatMap(List::stream).toList());
      return ps.executeUpdate();
    }
  }

  /** One statement per distinct (status, delay or policy, give-up); usually one. */
  int ackFailed(QueueName queue, String claimant, List<Ack> acks) {
    if (acks.isEmpty()) {
      return 0;
    }
    sql.ensureSchema();
    tables.ensureCurrent(queue);
    long now = sql.nowMillis();
    record Group(String status, long retryDelayMillis, boolean giveUp, RetryPolicy policy) {}
    Map<Group, List<Long>> groups = new LinkedHashMap<>();
    for (Ack a : acks) {
      long delay = a.retryPolicy() == null ? a.retryDelayMillis() : 0;
      groups.computeIfAbsent(new Group(a.appendCustomStatus(), delay, a.giveUp(), a.retryPolicy()),
          k -> new ArrayList<>()).add(a.descriptor().localId());
    }
    return sql.run(queue, c -> {
      int moved = 0;
      for (Map.Entry<Group, List<Long>> e : groups.entrySet()) {
        Group g = e.getKey();
        try (PreparedStatement ps =
            c.prepareStatement(MySqlQueries.ackFailed(queue, e.getValue().size(), g.policy() != null))) {
          int i = 1;
          ps.setLong(i++, now); // attempt entry: at
          ps.setString(i++, g.status()); // attempt entry: status
          ps.setBoolean(i++, g.giveUp());
          ps.setBoolean(i++, g.giveUp());
          if (g.policy() == null) {
            // now + delay, saturating (a delay of 2^63-1 must not wrap to "at once"), then + 0.
            ps.setLong(i++, Ack.retryAtMillis(now, g.retryDelayMillis()));
            ps.setLong(i++, 0);
          } else {
            ps.setLong(i++, now);
            ps.setLong(i++, g.policy().maxMillis());
            ps.setLong(i++, g.policy().baseMillis());
            ps.setDouble(i++, g.policy().jitter());
            ps.setDouble(i++, g.policy().jitter());
          }
          ps.setLong(i++, now);
          ps.setString(i++, g.status());
          ps.setString(i++, claimant);
          ShardSql.bindIds(ps, i, e.getValue());
          moved += ps.executeUpdate();
        }
      }
      return moved;
    });
  }

  int checkpoint(QueueName queue, String claimant, List<Checkpoint> checkpoints) {
    if (checkpoints.isEmpty()) {
      return 0;
    }
    sql.ensureSchema();
    long now = sql.nowMillis();
    return sql.run(queue, c -> {
      int moved = 0;
      try (PreparedStatement ps = c.prepareStatement(MySqlQueries.checkpoint(queue))) {
        boolean any = false;
        for (Checkpoint cp : checkpoints) {
          if (!streamed(cp)) {
            bindCheckpoint(ps, cp, claimant, now);
            ps.setBytes(1, cp.newBody());
            ps.addBatch();
            any = true;
          }
        }
        if (any) {
          for (int n : ps.executeBatch()) {
            moved += Math.max(n, 0);
          }
        }
      }
      for (Checkpoint cp : checkpoints) {
        if (streamed(cp)) {
          try (PreparedStatement ps = serverPrepared(c, MySqlQueries.checkpoint(queue))) {
            bindCheckpoint(ps, cp, claimant, now);
            ps.setBinaryStream(1, new ByteArrayInputStream(cp.newBody()), cp.newBody().length);
            moved += ps.executeUpdate();
          }
        }
      }
      return moved;
    });
  }

  private static boolean streamed(Checkpoint cp) {
    return cp.newBody() != null && cp.newBody().length >= STREAMED_BODY_BYTES;
  }

  /** Binds every parameter of {@link MySqlQueries#checkpoint} but the new body (parameter 1). */
  private static void bindCheckpoint(PreparedStatement ps, Checkpoint cp, String claimant, long now)
      throws SQLException {
    setNullableInt(ps, 2, cp.attemptsAllowed());
    setNullableInt(ps, 3, cp.attemptsAllowed());
    ps.setBoolean(4, cp.moveToPending());
    ps.setBoolean(5, cp.moveToPending());
    setNullableInt(ps, 6, cp.attemptsAllowed());
    ps.setBoolean(7, cp.moveToPending());
    ps.setLong(8, cp.runAfterMillis());
    ps.setBoolean(9, cp.moveToPending());
    ps.setString(10, cp.prependCustomStatus());
    ps.setString(11, cp.prependCustomStatus());
    ps.setLong(12, now);
    ps.setLong(13, cp.descriptor().localId());
    ps.setString(14, claimant);
  }

  private static void setNullableInt(PreparedStatement ps, int index, Integer value) throws SQLException {
    if (value == null) {
      ps.setNull(index, java.sql.Types.INTEGER);
    } else {
      ps.setInt(index, value);
    }
  }
}
