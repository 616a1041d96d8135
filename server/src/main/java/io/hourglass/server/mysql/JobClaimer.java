package io.hourglass.server.mysql;

import io.hourglass.server.config.PoolSettings;
import io.hourglass.server.queue.ClaimRequest;
import io.hourglass.server.queue.ClaimedJob;
import io.hourglass.server.queue.JobDescriptor;
import io.hourglass.server.queue.QueueException;
import io.hourglass.server.queue.QueueName;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/** Claims on one shard behind the claim gate; also their read-only twin (peek) and their undo. */
final class JobClaimer {
  private final ShardSql sql;
  private final QueueTables tables;
  private final Semaphore claimPermits;
  private final long claimWaitMillis;

  JobClaimer(ShardSql sql, QueueTables tables, PoolSettings settings) {
    this.sql = sql;
    this.tables = tables;
    this.claimPermits = new Semaphore(settings.maxConcurrentClaims(), true);
    this.claimWaitMillis = settings.connectTimeout().toMillis();
  }

  /**
   * Claims wait for one of {@code maxConcurrentClaims} permits: concurrent claims on one shard
   * fight over the head of the same index range, so past a few at once each gets slower and
   * the total drops. Waiting in the server is cheaper than waiting in InnoDB.
   */
  List<ClaimedJob> claim(ClaimRequest request) {
    sql.ensureSchema();
    tables.ensureCurrent(request.queue());
    int shardId = sql.shardId();
    try {
      if (!claimPermits.tryAcquire(claimWaitMillis, TimeUnit.MILLISECONDS)) {
        throw new QueueException(QueueException.Kind.SHARD_CONNECTION_FAILED,
            "shard " + shardId + " is busy: no claim slot within " + claimWaitMillis + " ms");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new QueueException(QueueException.Kind.INTERNAL, "interrupted waiting to claim on shard " + shardId);
    }
    try {
      return claimNow(request);
    } finally {
      claimPermits.release();
    }
  }

  private List<ClaimedJob> claimNow(ClaimRequest request) {
    QueueName queue = request.queue();
    return sql.run(queue, c -> ShardSql.inTransaction(c, tx -> {
      long now = sql.nowMillis();
      List<ClaimedJob> claimed = new ArrayList<>();
      try (PreparedStatement ps = tx.prepareStatement(MySqlQueries.selectClaimable(queue, true))) {
        ps.setInt(1, request.priority());
        ps.setLong(2, now);
        ps.setLong(3, now);
        ps.setInt(4, request.limit());
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            JobDescriptor d = new JobDescriptor(queue, sql.shardId(), request.priority(), rs.getLong(1));
            // Read before the claim takes its attempt: the count a client sees while it runs.
            claimed.add(new ClaimedJob(d, rs.getBytes(4), rs.getInt(2), rs.getInt(3)));
          }
        }
      }
      if (!claimed.isEmpty()) {
        try (PreparedStatement ps = tx.prepareStatement(MySqlQueries.markClaimed(queue, claimed.size()))) {
          ps.setString(1, request.claimant());
          ps.setLong(2, now);
          ShardSql.bindIds(ps, 3, claimed.stream().map(j -> j.descriptor().localId()).toList());
          int moved = ps.executeUpdate();
          if (moved != claimed.size()) {
            throw new SQLException("claimed " + claimed.size() + " rows but moved " + moved);
          }
        }
      }
      return claimed;
    }));
  }

  List<ClaimedJob> peek(ClaimRequest request) {
    sql.ensureSchema();
    tables.ensureCurrent(request.queue());
    QueueName queue = request.queue();
    return sql.run(queue, c -> {
      List<ClaimedJob> out = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement(MySqlQueries.selectClaimable(queue, false))) {
        long now = sql.nowMillis();
        ps.setInt(1, request.priority());
        ps.setLong(2, now);
        ps.setLong(3, now);
        ps.setInt(4, request.limit());
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            JobDescriptor d = new JobDescriptor(queue, sql.shardId(), request.priority(), rs.getLong(1));
            out.add(new ClaimedJob(d, rs.getBytes(4), rs.getInt(2), rs.getInt(3)));
          }
        }
      }
      return out;
    });
  }

  /** One statement, outside the claim gate: it takes no locks (see {@link MySqlQueries#runnableCounts}). */
  java.util.Map<Integer, Integer> runnableCounts(QueueName queue, int priorityLevels, int capPerPriority) {
    sql.ensureSchema();
    return sql.run(queue, c -> {
      java.util.Map<Integer, Integer> out = new java.util.TreeMap<>();
      try (PreparedStatement ps = c.prepareStatement(MySqlQueries.runnableCounts(queue, priorityLevels))) {
        long now = sql.nowMillis();
        for (int p = 1; p <= priorityLevels; p++) {
          ps.setInt(3 * p - 2, p);
          ps.setLong(3 * p - 1, now);
          ps.setInt(3 * p, capPerPriority);
        }
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.merge(rs.getInt(1), 1, Integer::sum);
          }
        }
      }
      return out;
    });
  }

  int releaseClaims(QueueName queue, String claimant, List<JobDescriptor> jobs) {
    if (jobs.isEmpty()) {
      return 0;
    }
    return sql.runEvenIfDown(queue, c -> {
      try (PreparedStatement ps = c.prepareStatement(MySqlQueries.releaseClaims(queue, jobs.size()))) {
        ps.setLong(1, sql.nowMillis());
        ps.setString(2, claimant);
        ShardSql.bindIds(ps, 3, jobs.stream().map(JobDescriptor::localId).toList());
        return ps.executeUpdate();
      }
    });
  }
}
