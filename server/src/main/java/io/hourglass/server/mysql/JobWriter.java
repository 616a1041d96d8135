package io.hourglass.server.mysql;

import io.hourglass.server.queue.Ack;
import io.hourglass.server.queue.Checkpoint;
import io.hourglass.server.queue.JobDescriptor;
import io.hourglass.server.queue.NewJob;
import io.hourglass.server.queue.QueueName;
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

  JobWriter(ShardSql sql) {
    this.sql = sql;
  }

  List<JobDescriptor> enqueue(QueueName queue, List<NewJob> jobs) {
    sql.ensureSchema();
    long now = sql.nowMillis();
    return sql.run(queue, c -> {
      c.setAutoCommit(false);
      try (PreparedStatement ps =
          c.prepareStatement(MySqlQueries.insertJob(queue), Statement.RETURN_GENERATED_KEYS)) {
        List<JobDescriptor> out = new ArrayList<>(jobs.size());
        if (sql.consecutiveIds()) {
          for (NewJob job : jobs) {
            bindNewJob(ps, job, now);
            ps.addBatch();
          }
          ps.executeBatch();
          collectKeys(ps, queue, jobs, 0, out);
        } else {
          for (int i = 0; i < jobs.size(); i++) {
            bindNewJob(ps, jobs.get(i), now);
            ps.executeUpdate();
            collectKeys(ps, queue, jobs, i, out);
          }
        }
        if (out.size() != jobs.size()) {
          throw new SQLException("expected " + jobs.size() + " generated ids, got " + out.size());
        }
        c.commit();
        return out;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    });
  }

  private static void bindNewJob(PreparedStatement ps, NewJob job, long now) throws SQLException {
    ps.setInt(1, job.priority());
    ps.setLong(2, job.runAfterMillis());
    ps.setInt(3, job.attemptsAllowed());
    ps.setInt(4, job.attemptsAllowed());
    ps.setString(5, job.customStatus());
    ps.setLong(6, now);
    ps.setLong(7, now);
    ps.setBytes(8, job.body());
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
          ps.setLong(1, now + e.getKey().retryDelayMillis());
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
      try (PreparedStatement ps = c.prepareStatement(MySqlQueries.checkpoint(queue))) {
        for (Checkpoint cp : checkpoints) {
          bindCheckpoint(ps, cp, claimant, now);
          ps.addBatch();
        }
        int moved = 0;
        for (int n : ps.executeBatch()) {
          moved += Math.max(n, 0);
        }
        return moved;
      }
    });
  }

  private static void bindCheckpoint(PreparedStatement ps, Checkpoint cp, String claimant, long now)
      throws SQLException {
    ps.setBytes(1, cp.newBody());
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
