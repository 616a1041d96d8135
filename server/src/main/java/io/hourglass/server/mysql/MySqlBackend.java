package io.hourglass.server.mysql;

import com.zaxxer.hikari.HikariDataSource;
import io.hourglass.server.config.PoolSettings;
import io.hourglass.server.config.ShardSpec;
import io.hourglass.server.queue.Ack;
import io.hourglass.server.queue.Checkpoint;
import io.hourglass.server.queue.ClaimRequest;
import io.hourglass.server.queue.ClaimedJob;
import io.hourglass.server.queue.JobDescriptor;
import io.hourglass.server.queue.JobFilter;
import io.hourglass.server.queue.JobInfo;
import io.hourglass.server.queue.JobState;
import io.hourglass.server.queue.MaintenanceLease;
import io.hourglass.server.queue.NewJob;
import io.hourglass.server.queue.QueueBackend;
import io.hourglass.server.queue.QueueException;
import io.hourglass.server.queue.QueueName;
import io.hourglass.server.queue.RescueResult;
import io.hourglass.server.queue.RetryFailedRequest;
import io.hourglass.server.queue.ScanCursor;
import io.hourglass.server.queue.ShardHealth;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link QueueBackend} on one MySQL/MariaDB shard. All its SQL is in {@link MySqlQueries}. */
public final class MySqlBackend implements QueueBackend {
  private static final Logger LOG = LoggerFactory.getLogger(MySqlBackend.class);
  private static final int MAX_TRIES = 3;
  /** Heartbeat rows of servers silent this long are deleted (crashed servers never leave). */
  private static final Duration FORGET_SERVERS_AFTER = Duration.ofHours(1);

  private final int shardId;
  private final HikariDataSource pool;
  private final Clock clock;
  private final Semaphore claimPermits;
  private final long claimWaitMillis;
  private final ShardOps ops;
  private volatile boolean schemaReady;
  private volatile boolean serversTableReady;
  private volatile boolean consecutiveIds;

  private MySqlBackend(
      ShardSpec shard, PoolSettings settings, HikariDataSource pool, Clock clock, ShardOps ops) {
    this.shardId = shard.id();
    this.pool = pool;
    this.clock = clock;
    this.claimPermits = new Semaphore(settings.maxConcurrentClaims(), true);
    this.claimWaitMillis = settings.connectTimeout().toMillis();
    this.ops = ops;
  }

  public static MySqlBackend open(ShardSpec shard, PoolSettings settings, Clock clock) {
    return open(shard, settings, clock, new ShardHealth(shard.id(), false));
  }

  /** Opens the shard's pool; {@code health} is marked down by connection failures seen here. */
  public static MySqlBackend open(ShardSpec shard, PoolSettings settings, Clock clock, ShardHealth health) {
    HikariDataSource ds = ShardPool.open(shard, settings);
    MySqlBackend backend = new MySqlBackend(shard, settings, ds, clock, new ShardOps(shard, ds, settings, health));
    try {
      backend.ensureSchema();
    } catch (RuntimeException e) {
      LOG.warn("shard {} ({}) is not reachable yet; it will be retried on use: {}",
          shard.id(), shard.connectionKey(), e.getMessage());
    }
    return backend;
  }

  /** The pool, for health and metrics. */
  public HikariDataSource dataSource() {
    return pool;
  }

  @Override
  public int shardId() {
    return shardId;
  }

  private void ensureSchema() {
    if (schemaReady) {
      return;
    }
    run(null, c -> {
      try (Statement s = c.createStatement()) {
        s.execute(MySqlQueries.CREATE_REGISTRY);
        try (ResultSet rs = s.executeQuery(MySqlQueries.AUTOINC_SETTINGS)) {
          rs.next();
          // Lock mode 2 may interleave ids of concurrent multi-row INSERTs: then the ids the
          // driver derives from LAST_INSERT_ID() could be wrong, so insert row by row instead.
          consecutiveIds = rs.getInt(1) < 2 && rs.getInt(2) == 1;
        }
      }
      return null;
    });
    if (!consecutiveIds) {
      LOG.warn("shard {}: innodb_autoinc_lock_mode=2 or auto_increment_increment>1; enqueues insert "
          + "one row per statement (slower). Set innodb_autoinc_lock_mode=1 for batched inserts.", shardId);
    }
    schemaReady = true;
  }

  @Override
  public void createQueue(QueueName queue) {
    ensureSchema();
    run(queue, c -> {
      try (Statement s = c.createStatement()) {
        s.execute(MySqlQueries.createJobsTable(queue));
      }
      try (PreparedStatement ps = c.prepareStatement(MySqlQueries.REGISTER_QUEUE)) {
        ps.setString(1, queue.value());
        ps.setLong(2, clock.millis());
        ps.executeUpdate();
      }
      return null;
    });
  }

  @Override
  public void deleteQueue(QueueName queue) {
    ensureSchema();
    run(queue, c -> {
      // Unregister first: a half-done delete leaves an orphan table, never a queue without one.
      try (PreparedStatement ps = c.prepareStatement(MySqlQueries.UNREGISTER_QUEUE)) {
        ps.setString(1, queue.value());
        ps.executeUpdate();
      }
      try (Statement s = c.createStatement()) {
        s.execute(MySqlQueries.dropJobsTable(queue));
      }
      return null;
    });
  }

  @Override
  public Set<String> queueNames() {
    ensureSchema();
    return run(null, c -> {
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

  @Override
  public List<JobDescriptor> enqueue(QueueName queue, List<NewJob> jobs) {
    ensureSchema();
    long now = clock.millis();
    return run(queue, c -> {
      c.setAutoCommit(false);
      try (PreparedStatement ps =
          c.prepareStatement(MySqlQueries.insertJob(queue), Statement.RETURN_GENERATED_KEYS)) {
        List<JobDescriptor> out = new ArrayList<>(jobs.size());
        if (consecutiveIds) {
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
        out.add(new JobDescriptor(queue, shardId, jobs.get(i++).priority(), keys.getLong(1)));
      }
    }
  }

  /**
   * Claims wait for one of {@code maxConcurrentClaims} permits: concurrent claims on one shard
   * fight over the head of the same index range, so past a few at once each gets slower and
   * the total drops. Waiting in the server is cheaper than waiting in InnoDB.
   */
  @Override
  public List<ClaimedJob> claim(ClaimRequest request) {
    ensureSchema();
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
    return run(queue, c -> {
      long now = clock.millis();
      c.setAutoCommit(false);
      try {
        List<ClaimedJob> claimed = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(MySqlQueries.selectClaimable(queue, true))) {
          ps.setInt(1, request.priority());
          ps.setLong(2, now);
          ps.setInt(3, request.limit());
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              JobDescriptor d = new JobDescriptor(queue, shardId, request.priority(), rs.getLong(1));
              claimed.add(new ClaimedJob(d, rs.getBytes(4), rs.getInt(2), rs.getInt(3) - 1));
            }
          }
        }
        if (!claimed.isEmpty()) {
          try (PreparedStatement ps =
              c.prepareStatement(MySqlQueries.markClaimed(queue, claimed.size()))) {
            ps.setString(1, request.claimant());
            ps.setLong(2, now);
            bindIds(ps, 3, claimed.stream().map(j -> j.descriptor().localId()).toList());
            int moved = ps.executeUpdate();
            if (moved != claimed.size()) {
              throw new SQLException("claimed " + claimed.size() + " rows but moved " + moved);
            }
          }
        }
        c.commit();
        return claimed;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    });
  }

  @Override
  public int releaseClaims(QueueName queue, List<JobDescriptor> jobs) {
    if (jobs.isEmpty()) {
      return 0;
    }
    ensureSchema();
    return run(queue, c -> {
      try (PreparedStatement ps = c.prepareStatement(MySqlQueries.releaseClaims(queue, jobs.size()))) {
        ps.setLong(1, clock.millis());
        bindIds(ps, 2, jobs.stream().map(JobDescriptor::localId).toList());
        return ps.executeUpdate();
      }
    });
  }

  @Override
  public int ackSucceeded(QueueName queue, String claimant, List<Ack> acks) {
    if (acks.isEmpty()) {
      return 0;
    }
    ensureSchema();
    long now = clock.millis();
    // One statement per distinct status text; workers almost always send none, so usually one.
    Map<String, List<Long>> byStatus = new LinkedHashMap<>();
    for (Ack a : acks) {
      byStatus.computeIfAbsent(a.appendCustomStatus(), k -> new ArrayList<>()).add(a.descriptor().localId());
    }
    return run(queue, c -> {
      int moved = 0;
      for (Map.Entry<String, List<Long>> e : byStatus.entrySet()) {
        try (PreparedStatement ps =
            c.prepareStatement(MySqlQueries.ackSucceeded(queue, e.getValue().size()))) {
          ps.setLong(1, now);
          ps.setString(2, e.getKey());
          ps.setString(3, claimant);
          bindIds(ps, 4, e.getValue());
          moved += ps.executeUpdate();
        }
      }
      return moved;
    });
  }

  @Override
  public int ackFailed(QueueName queue, String claimant, List<Ack> acks) {
    if (acks.isEmpty()) {
      return 0;
    }
    ensureSchema();
    long now = clock.millis();
    record Group(String status, long retryDelayMillis) {}
    Map<Group, List<Long>> groups = new LinkedHashMap<>();
    for (Ack a : acks) {
      groups.computeIfAbsent(new Group(a.appendCustomStatus(), a.retryDelayMillis()), k -> new ArrayList<>())
          .add(a.descriptor().localId());
    }
    return run(queue, c -> {
      int moved = 0;
      for (Map.Entry<Group, List<Long>> e : groups.entrySet()) {
        try (PreparedStatement ps =
            c.prepareStatement(MySqlQueries.ackFailed(queue, e.getValue().size()))) {
          ps.setLong(1, now + e.getKey().retryDelayMillis());
          ps.setLong(2, now);
          ps.setString(3, e.getKey().status());
          ps.setString(4, claimant);
          bindIds(ps, 5, e.getValue());
          moved += ps.executeUpdate();
        }
      }
      return moved;
    });
  }

  @Override
  public List<ClaimedJob> peek(ClaimRequest request) {
    ensureSchema();
    QueueName queue = request.queue();
    return run(queue, c -> {
      List<ClaimedJob> out = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement(MySqlQueries.selectClaimable(queue, false))) {
        ps.setInt(1, request.priority());
        ps.setLong(2, clock.millis());
        ps.setInt(3, request.limit());
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            JobDescriptor d = new JobDescriptor(queue, shardId, request.priority(), rs.getLong(1));
            out.add(new ClaimedJob(d, rs.getBytes(4), rs.getInt(2), rs.getInt(3)));
          }
        }
      }
      return out;
    });
  }

  @Override
  public int checkpoint(QueueName queue, String claimant, List<Checkpoint> checkpoints) {
    if (checkpoints.isEmpty()) {
      return 0;
    }
    ensureSchema();
    long now = clock.millis();
    return run(queue, c -> {
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
    ps.setBoolean(2, cp.moveToPending());
    setNullableInt(ps, 3, cp.attemptsAllowed());
    setNullableInt(ps, 4, cp.attemptsAllowed());
    setNullableInt(ps, 5, cp.attemptsAllowed());
    ps.setBoolean(6, cp.moveToPending());
    ps.setLong(7, cp.runAfterMillis());
    ps.setBoolean(8, cp.moveToPending());
    ps.setString(9, cp.prependCustomStatus());
    ps.setString(10, cp.prependCustomStatus());
    ps.setLong(11, now);
    ps.setLong(12, cp.descriptor().localId());
    ps.setString(13, claimant);
  }

  private static void setNullableInt(PreparedStatement ps, int index, Integer value) throws SQLException {
    if (value == null) {
      ps.setNull(index, java.sql.Types.INTEGER);
    } else {
      ps.setInt(index, value);
    }
  }

  private static String filterSql(JobFilter f) {
    return MySqlQueries.jobFilter(f.priority() != null, f.future(), f.bodyRegex() != null);
  }

  /** Binds the values of {@link MySqlQueries#jobFilter}; returns the next parameter index. */
  private static int bindFilter(PreparedStatement ps, JobFilter f, long now) throws SQLException {
    int i = 1;
    ps.setInt(i++, f.state().code());
    if (f.priority() != null) {
      ps.setInt(i++, f.priority());
    }
    if (f.future() != null) {
      ps.setLong(i++, now);
    }
    if (f.bodyRegex() != null) {
      ps.setString(i++, f.bodyRegex());
    }
    return i;
  }

  @Override
  public long count(JobFilter filter) {
    ensureSchema();
    return run(filter.queue(), c -> {
      try (PreparedStatement ps = c.prepareStatement(MySqlQueries.count(filter.queue(), filterSql(filter)))) {
        bindFilter(ps, filter, clock.millis());
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          return rs.getLong(1);
        }
      }
    });
  }

  @Override
  public List<JobInfo> scan(JobFilter filter, ScanCursor after, int limit) {
    ensureSchema();
    QueueName queue = filter.queue();
    String afterClause = after == null ? ""
        : shardId == after.shardId() ? MySqlQueries.SCAN_AFTER_SAME_SHARD
        : shardId < after.shardId() ? MySqlQueries.SCAN_AFTER_LOWER_SHARD
        : MySqlQueries.SCAN_AFTER_HIGHER_SHARD;
    return run(queue, c -> {
      List<JobInfo> out = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement(MySqlQueries.scan(queue, filterSql(filter), afterClause))) {
        int i = bindFilter(ps, filter, clock.millis());
        if (after != null) {
          ps.setLong(i++, after.runAfterMillis());
          if (shardId == after.shardId()) {
            ps.setLong(i++, after.runAfterMillis());
            ps.setLong(i++, after.localId());
          }
        }
        ps.setInt(i, limit);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(jobInfo(queue, rs, false));
          }
        }
      }
      return out;
    });
  }

  @Override
  public int retryFailed(RetryFailedRequest r) {
    ensureSchema();
    return run(r.queue(), c -> {
      try (PreparedStatement ps = c.prepareStatement(MySqlQueries.retryFailed(r.queue()))) {
        ps.setInt(1, r.attemptsToAllow());
        ps.setInt(2, r.attemptsToAllow());
        ps.setLong(3, r.runAfterMillis());
        ps.setLong(4, clock.millis());
        ps.setInt(5, r.priority());
        ps.setInt(6, r.limit());
        return ps.executeUpdate();
      }
    });
  }

  @Override
  public int deleteJobs(JobFilter filter, int limit) {
    ensureSchema();
    return run(filter.queue(), c -> {
      try (PreparedStatement ps =
          c.prepareStatement(MySqlQueries.deleteJobs(filter.queue(), filterSql(filter)))) {
        int i = bindFilter(ps, filter, clock.millis());
        ps.setInt(i, limit);
        return ps.executeUpdate();
      }
    });
  }

  @Override
  public List<JobInfo> lookup(QueueName queue, List<Long> ids, boolean includeBody) {
    if (ids.isEmpty()) {
      return List.of();
    }
    ensureSchema();
    return run(queue, c -> {
      List<JobInfo> out = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement(MySqlQueries.lookup(queue, ids.size(), includeBody))) {
        bindIds(ps, 1, ids);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(jobInfo(queue, rs, includeBody));
          }
        }
      }
      return out;
    });
  }

  private JobInfo jobInfo(QueueName queue, ResultSet rs, boolean withBody) throws SQLException {
    return new JobInfo(
        new JobDescriptor(queue, shardId, rs.getInt("priority"), rs.getLong("id")),
        JobState.fromCode(rs.getInt("state")),
        rs.getInt("attempts_allowed"),
        rs.getInt("attempts_remaining"),
        rs.getString("custom_status"),
        rs.getLong("created_at"),
        rs.getLong("run_after"),
        rs.getLong("updated_at"),
        rs.getString("claim_descriptor"),
        withBody ? rs.getBytes("body") : null);
  }

  private static void bindIds(PreparedStatement ps, int firstIndex, List<Long> ids) throws SQLException {
    int i = firstIndex;
    for (long id : ids) {
      ps.setLong(i++, id);
    }
  }

  @FunctionalInterface
  private interface SqlWork<T> {
    T apply(Connection c) throws SQLException;
  }

  /**
   * Runs {@code work} on a pooled connection, retrying deadlocks, translating failures. Fails
   * fast while the shard is down (see {@link ShardHealth}) instead of waiting for the pool.
   */
  private <T> T run(QueueName queue, SqlWork<T> work) {
    ops.failFastWhenDown();
    ops.inflight().incrementAndGet();
    try {
      for (int attempt = 1; ; attempt++) {
        try (Connection c = pool.getConnection()) {
          return work.apply(c);
        } catch (SQLException e) {
          if (attempt < MAX_TRIES && SqlErrors.isRetryable(e)) {
            LOG.debug("shard {}: retrying after {}", shardId, e.getMessage());
            continue;
          }
          throw ops.failed(SqlErrors.translate(shardId, queue, e));
        }
      }
    } finally {
      ops.inflight().decrementAndGet();
    }
  }

  // --- maintenance ---

  public ShardHealth health() {
    return ops.health();
  }

  public PoolStats poolStats() {
    return ops.poolStats();
  }

  /**
   * Closes the pool once no statement runs on it any more (at most {@code maxWait}), for a pool
   * that a shard-config reload replaced. Blocks; run it off the request path.
   */
  public void closeWhenIdle(Duration grace, Duration maxWait) {
    ops.awaitIdle(grace, maxWait);
    close();
  }

  @Override
  public void probe(Duration timeout) {
    ops.probe(timeout);
  }

  @Override
  public MaintenanceLease tryLease(String task, long nowMillis, long minIntervalMillis) {
    return ops.tryLease(task, nowMillis, minIntervalMillis);
  }

  @Override
  public RescueResult rescueExpiredClaims(QueueName queue, long claimedBeforeMillis, int limit) {
    ensureSchema();
    long now = clock.millis();
    return run(queue, c -> {
      int failed = rescueStep(c, MySqlQueries.rescueToFailed(queue), now, claimedBeforeMillis, limit);
      int pending = rescueStep(c, MySqlQueries.rescueToPending(queue), now, claimedBeforeMillis, limit);
      return new RescueResult(pending, failed);
    });
  }

  private static int rescueStep(Connection c, String sql, long now, long before, int limit) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setLong(1, now);
      ps.setLong(2, before);
      ps.setInt(3, limit);
      return ps.executeUpdate();
    }
  }

  @Override
  public int pruneFinished(QueueName queue, JobState state, long finishedBeforeMillis, int limit) {
    if (state != JobState.SUCCEEDED && state != JobState.FAILED) {
      throw new IllegalArgumentException("only final states are pruned, not " + state);
    }
    ensureSchema();
    return run(queue, c -> {
      try (PreparedStatement ps = c.prepareStatement(MySqlQueries.pruneFinished(queue))) {
        ps.setInt(1, state.code());
        ps.setLong(2, finishedBeforeMillis);
        ps.setInt(3, limit);
        return ps.executeUpdate();
      }
    });
  }

  @Override
  public Map<String, Long> unfinishedJobs() {
    Map<String, Long> out = new LinkedHashMap<>();
    for (String name : queueNames()) {
      QueueName queue = QueueName.of(name);
      try {
        long n = run(queue, c -> {
          try (Statement s = c.createStatement();
              ResultSet rs = s.executeQuery(MySqlQueries.countUnfinished(queue))) {
            rs.next();
            return rs.getLong(1);
          }
        });
        if (n > 0) {
          out.put(name, n);
        }
      } catch (QueueException e) {
        if (e.kind() != QueueException.Kind.QUEUE_NOT_FOUND) {
          throw e;
        }
      }
    }
    return out;
  }

  @Override
  public int heartbeat(String serverId, long nowMillis, long liveSinceMillis) {
    ensureServersTable();
    return run(null, c -> {
      try (PreparedStatement ps = c.prepareStatement(MySqlQueries.HEARTBEAT)) {
        ps.setString(1, serverId);
        ps.setLong(2, nowMillis);
        ps.executeUpdate();
      }
      try (PreparedStatement ps = c.prepareStatement(MySqlQueries.FORGET_DEAD_SERVERS)) {
        ps.setLong(1, liveSinceMillis - FORGET_SERVERS_AFTER.toMillis());
        ps.executeUpdate();
      }
      try (PreparedStatement ps = c.prepareStatement(MySqlQueries.COUNT_LIVE_SERVERS)) {
        ps.setLong(1, liveSinceMillis);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          return rs.getInt(1);
        }
      }
    });
  }

  @Override
  public void leaveHeartbeat(String serverId) {
    ensureServersTable();
    run(null, c -> {
      try (PreparedStatement ps = c.prepareStatement(MySqlQueries.LEAVE)) {
        ps.setString(1, serverId);
        return ps.executeUpdate();
      }
    });
  }

  private void ensureServersTable() {
    if (!serversTableReady) {
      run(null, c -> {
        try (Statement s = c.createStatement()) {
          s.execute(MySqlQueries.CREATE_SERVERS);
        }
        return null;
      });
      serversTableReady = true;
    }
  }

  @Override
  public void close() {
    try {
      ops.close();
      pool.close();
    } catch (Exception e) {
      LOG.warn("shard {}: closing the pool failed: {}", shardId, e.getMessage());
    }
  }
}
