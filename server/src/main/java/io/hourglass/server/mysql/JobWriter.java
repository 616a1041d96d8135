package io.hourglass.server.mysql;

import io.hourglass.server.queue.Ack;
import io.hourglass.server.queue.Checkpoint;
import io.hourglass.server.queue.JobDescriptor;
import io.hourglass.server.queue.NewJob;
import io.hourglass.server.queue.QueueName;
import com.mysql.cj.jdbc.JdbcConnection;
import java.io.ByteArrayInputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Writes of the job lifecycle on one shard, claims aside: enqueue, acks and checkpoints. */
final class JobWriter {
  private final ShardSql sql;

  private final EnqueueCoalescer coalescer;

  JobWriter(ShardSql sql) {
    this.sql = sql;
    this.coalescer = new EnqueueCoalescer(
        (queue, jobs) -> sql.run(queue, c -> insertBatched(c, queue, jobs, sql.nowMillis())),
        MAX_COALESCED_JOBS, ONE_STATEMENT_BODY_BYTES);
  }

  /** At most this many jobs in one coalesced INSERT (with the body-size bound below). */
  static final int MAX_COALESCED_JOBS = 1000;

  /**
   * Bodies from this size on travel as binary long data through a server-side prepared
   * statement, one row per statement. Below it they go in the usual client-side batch, which the
   * driver sends as one multi-row INSERT with every body hex-escaped — twice its size — so that
   * with MariaDB's default max_allowed_packet (16 MiB) a body of 8 MiB could not be stored.
   */
  static final int STREAMED_BODY_BYTES = 1024 * 1024;

  List<JobDescriptor> enqueue(QueueName queue, List<NewJob> jobs) {
    sql.ensureSchema();
    long now = sql.nowMillis();
    List<NewJob> batched = new ArrayList<>(jobs.size());
    List<Integer> streamed = new ArrayList<>();
    for (int i = 0; i < jobs.size(); i++) {
      if (jobs.get(i).body().length < STREAMED_BODY_BYTES) {
        batched.add(jobs.get(i));
      } else {
        streamed.add(i);
      }
    }
    long bodyBytes = totalBodyBytes(jobs);
    boolean oneStatement = streamed.isEmpty() && (jobs.size() == 1 || sql.consecutiveIds())
        && bodyBytes < ONE_STATEMENT_BODY_BYTES;
    if (oneStatement && sql.consecutiveIds()) {
      // Rows of one multi-row INSERT get consecutive ids, so concurrent requests can share one.
      return coalescer.enqueue(queue, jobs, bodyBytes);
    }
    return sql.run(queue, c -> oneStatement
        // One INSERT (a batch is rewritten into one multi-row INSERT): atomic in autocommit.
        ? insertBatched(c, queue, batched, now)
        : ShardSql.inTransaction(c, tx -> {
          JobDescriptor[] out = new JobDescriptor[jobs.size()];
          List<JobDescriptor> fromBatch = insertBatched(tx, queue, batched, now);
          for (int i = 0, b = 0; i < jobs.size(); i++) {
            if (!streamed.contains(i)) {
              out[i] = fromBatch.get(b++);
            }
          }
          for (int i : streamed) {
            out[i] = insertStreamed(tx, queue, jobs.get(i), now);
          }
          return List.of(out);
        }));
  }

  /**
   * Below this many body bytes a batch surely fits one multi-row INSERT (bodies travel
   * hex-escaped, twice their size, and MariaDB's default max_allowed_packet is 16 MiB); above
   * it the driver may split the batch into several statements, which then need a transaction.
   */
  static final int ONE_STATEMENT_BODY_BYTES = 4 * 1024 * 1024;

  private static long totalBodyBytes(List<NewJob> jobs) {
    long n = 0;
    for (NewJob j : jobs) {
      n += j.body().length;
    }
    return n;
  }

  private List<JobDescriptor> insertBatched(Connection c, QueueName queue, List<NewJob> jobs, long now)
      throws SQLException {
    if (jobs.isEmpty()) {
      return List.of();
    }
    try (PreparedStatement ps =
        c.prepareStatement(MySqlQueries.insertJob(queue), Statement.RETURN_GENERATED_KEYS)) {
      List<JobDescriptor> out = new ArrayList<>(jobs.size());
      if (sql.consecutiveIds()) {
        for (NewJob job : jobs) {
          bindNewJob(ps, job, now);
          ps.setBytes(8, job.body());
          ps.addBatch();
        }
        ps.executeBatch();
        collectKeys(ps, queue, jobs, 0, out);
      } else {
        for (int i = 0; i < jobs.size(); i++) {
          bindNewJob(ps, jobs.get(i), now);
          ps.setBytes(8, jobs.get(i).body());
          ps.executeUpdate();
          collectKeys(ps, queue, jobs, i, out);
        }
      }
      if (out.size() != jobs.size()) {
        throw new SQLException("expected " + jobs.size() + " generated ids, got " + out.size());
      }
      return out;
    }
  }

  /** One job with a large body: the body goes as binary long data, in chunks (see STREAMED_BODY_BYTES). */
  private JobDescriptor insertStreamed(Connection c, QueueName queue, NewJob job, long now) throws SQLException {
    try (PreparedStatement ps = serverPrepared(c, MySqlQueries.insertJob(queue), Statement.RETURN_GENERATED_KEYS)) {
      bindNewJob(ps, job, now);
      ps.setBinaryStream(8, new ByteArrayInputStream(job.body()), job.body().length);
      ps.executeUpdate();
      try (ResultSet keys = ps.getGeneratedKeys()) {
        if (!keys.next()) {
          throw new SQLException("no generated id for a streamed insert");
        }
        return new JobDescriptor(queue, sql.shardId(), job.priority(), keys.getLong(1));
      }
    }
  }

  /**
   * A server-side prepared statement, whatever the pool's default: only there does the driver
   * send stream parameters as binary long data instead of inlining them hex-escaped.
   */
  private static PreparedStatement serverPrepared(Connection c, String statement, int autoGeneratedKeys)
      throws SQLException {
    return c.unwrap(JdbcConnection.class).serverPrepareStatement(statement, autoGeneratedKeys);
  }

  /** Binds every column of {@link MySqlQueries#insertJob} but the body (parameter 8). */
  private static void bindNewJob(PreparedStatement ps, NewJob job, long now) throws SQLException {
    ps.setInt(1, job.priority());
    ps.setLong(2, job.runAfterMillis());
    ps.setInt(3, job.attemptsAllowed());
    ps.setInt(4, job.attemptsAllowed());
    ps.setString(5, job.customStatus());
    ps.setLong(6, now);
    ps.setLong(7, now);
  }

  private void collectKeys(
      PreparedStatement ps, QueueName queue, List<NewJob> jobs, int from, List<JobDescriptor> out)
      throws SQLException {
    try (ResultSet keys = ps.getGeneratedKeys()) {
      int i = from;
      while (keys.next()) {
        out.add(new JobDescriptor(queue, sql.shardId(), jobs.get(i++).priority(), keys.getLong(1)));
      }
    }
  }

  int ackSucceeded(QueueName queue, String claimant, List<Ack> acks) {
    if (acks.isEmpty()) {
      return 0;
    }
    sql.ensureSchema();
    long now = sql.nowMillis();
    // One statement per distinct status text; workers almost always send none, so usually one.
    Map<String, List<Long>> byStatus = new LinkedHashMap<>();
    for (Ack a : acks) {
      byStatus.computeIfAbsent(a.appendCustomStatus(), k -> new ArrayList<>()).add(a.descriptor().localId());
    }
    return sql.run(queue, c -> {
      int moved = 0;
      for (Map.Entry<String, List<Long>> e : byStatus.entrySet()) {
        try (PreparedStatement ps =
            c.prepareStatement(MySqlQueries.ackSucceeded(queue, e.getValue().size()))) {
          ps.setLong(1, now);
          ps.setString(2, e.getKey());
          ps.setString(3, claimant);
          ShardSql.bindIds(ps, 4, e.getValue());
          moved += ps.executeUpdate();
        }
      }
      return moved;
    });
  }

  int ackFailed(QueueName queue, String claimant, List<Ack> acks) {
    if (acks.isEmpty()) {
      return 0;
    }
    sql.ensureSchema();
    long now = sql.nowMillis();
    record Group(String status, long retryDelayMillis) {}
    Map<Group, List<Long>> groups = new LinkedHashMap<>();
    for (Ack a : acks) {
      groups.computeIfAbsent(new Group(a.appendCustomStatus(), a.retryDelayMillis()), k -> new ArrayList<>())
          .add(a.descriptor().localId());
    }
    return sql.run(queue, c -> {
      int moved = 0;
      for (Map.Entry<Group, List<Long>> e : groups.entrySet()) {
        try (PreparedStatement ps =
            c.prepareStatement(MySqlQueries.ackFailed(queue, e.getValue().size()))) {
          ps.setLong(1, Ack.retryAtMillis(now, e.getKey().retryDelayMillis()));
          ps.setLong(2, now);
          ps.setString(3, e.getKey().status());
          ps.setString(4, claimant);
          ShardSql.bindIds(ps, 5, e.getValue());
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
          try (PreparedStatement ps = serverPrepared(c, MySqlQueries.checkpoint(queue), Statement.NO_GENERATED_KEYS)) {
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
