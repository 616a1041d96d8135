package io.hourglass.server.mysql;

import com.zaxxer.hikari.HikariDataSource;
import io.hourglass.server.config.PoolSettings;
import io.hourglass.server.config.ShardSpec;
import io.hourglass.server.queue.Ack;
import io.hourglass.server.queue.Checkpoint;
import io.hourglass.server.queue.ClaimRequest;
import io.hourglass.server.queue.ClaimedJob;
import io.hourglass.server.queue.EnqueuedJob;
import io.hourglass.server.queue.JobDescriptor;
import io.hourglass.server.queue.JobFilter;
import io.hourglass.server.queue.JobInfo;
import io.hourglass.server.queue.JobState;
import io.hourglass.server.queue.MaintenanceLease;
import io.hourglass.server.queue.NewJob;
import io.hourglass.server.queue.QueueBackend;
import io.hourglass.server.queue.QueueName;
import io.hourglass.server.queue.RescueResult;
import io.hourglass.server.queue.RetryFailedRequest;
import io.hourglass.server.queue.Schedule;
import io.hourglass.server.queue.ScheduleSpec;
import io.hourglass.server.queue.ScanCursor;
import io.hourglass.server.queue.ShardHealth;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link QueueBackend} on one MySQL/MariaDB shard. All its SQL is in {@link MySqlQueries}.
 *
 * <p>A facade: statements run through {@link ShardSql}; the work is split by job between
 * {@link QueueRegistry} (queues), {@link JobClaimer} (claims), {@link JobWriter} (enqueue, acks,
 * checkpoints), {@link JobInspector} (lookup and admin reads/edits), {@link MaintenanceSql}
 * (rescue, pruning, heartbeats) and {@link ShardOps} (health, probe, leases, pool).
 */
public final class MySqlBackend implements QueueBackend {
  private static final Logger LOG = LoggerFactory.getLogger(MySqlBackend.class);

  private final HikariDataSource pool;
  private final HikariDataSource adminPool;
  private final ShardOps ops;
  private final ShardSql sql;
  private final QueueRegistry queues;
  private final JobClaimer claimer;
  private final JobWriter writer;
  private final JobInspector inspector;
  private final MaintenanceSql maintenance;
  private final DashboardSql dashboard;
  private final ScheduleSql schedules;

  private MySqlBackend(
      ShardSpec shard, PoolSettings settings, HikariDataSource pool, HikariDataSource adminPool, Clock clock,
      ShardOps ops) {
    this.pool = pool;
    this.adminPool = adminPool;
    this.ops = ops;
    this.sql = new ShardSql(shard.id(), pool, adminPool, clock, ops, settings.admin().statementTimeout());
    QueueTables tables = new QueueTables(sql);
    KeysAndExpiries keysAndExpiries = new KeysAndExpiries(shard.id());
    this.queues = new QueueRegistry(sql, tables);
    this.claimer = new JobClaimer(sql, tables, settings);
    this.writer = new JobWriter(sql, tables, keysAndExpiries);
    this.inspector = new JobInspector(sql, tables, keysAndExpiries);
    this.maintenance = new MaintenanceSql(sql, queues, tables, keysAndExpiries);
    this.dashboard = new DashboardSql(sql, tables, keysAndExpiries);
    this.schedules = new ScheduleSql(sql);
  }

  public static MySqlBackend open(ShardSpec shard, PoolSettings settings, Clock clock) {
    return open(shard, settings, clock, new ShardHealth(shard.id(), false));
  }

  /** Opens the shard's pool; {@code health} is marked down by connection failures seen here. */
  public static MySqlBackend open(ShardSpec shard, PoolSettings settings, Clock clock, ShardHealth health) {
    ConnectGate gate = new ConnectGate();
    HikariDataSource ds = ShardPool.open(shard, settings, gate);
    HikariDataSource admin = ShardPool.openAdmin(shard, settings, gate);
    MySqlBackend backend =
        new MySqlBackend(shard, settings, ds, admin, clock, new ShardOps(shard, ds, settings, health, gate));
    try {
      backend.sql.ensureSchema();
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
    return sql.shardId();
  }

  @Override
  public void createQueue(QueueName queue) {
    queues.createQueue(queue);
  }

  @Override
  public void deleteQueue(QueueName queue) {
    queues.deleteQueue(queue);
  }

  @Override
  public Set<String> queueNames() {
    return queues.queueNames();
  }

  @Override
  public List<EnqueuedJob> enqueueJobs(QueueName queue, List<NewJob> jobs) {
    return writer.enqueue(queue, jobs);
  }

  /** Waits for the shard's claim gate (see {@link JobClaimer#claim}). */
  @Override
  public List<ClaimedJob> claim(ClaimRequest request) {
    return claimer.claim(request);
  }

  @Override
  public int releaseClaims(QueueName queue, String claimant, List<JobDescriptor> jobs) {
    return claimer.releaseClaims(queue, claimant, jobs);
  }

  @Override
  public int ackSucceeded(QueueName queue, String claimant, List<Ack> acks) {
    return writer.ackSucceeded(queue, claimant, acks);
  }

  @Override
  public int ackFailed(QueueName queue, String claimant, List<Ack> acks) {
    return writer.ackFailed(queue, claimant, acks);
  }

  @Override
  public java.util.Map<Integer, Integer> runnableCounts(QueueName queue, int priorityLevels, int capPerPriority) {
    return claimer.runnableCounts(queue, priorityLevels, capPerPriority);
  }

  @Override
  public List<ClaimedJob> peek(ClaimRequest request) {
    return claimer.peek(request);
  }

  @Override
  public int checkpoint(QueueName queue, String claimant, List<Checkpoint> checkpoints) {
    return writer.checkpoint(queue, claimant, checkpoints);
  }

  @Override
  public long count(JobFilter filter) {
    return inspector.count(filter);
  }

  @Override
  public List<JobInfo> scan(JobFilter filter, ScanCursor after, int limit) {
    return inspector.scan(filter, after, limit);
  }

  @Override
  public int retryFailed(RetryFailedRequest r) {
    return inspector.retryFailed(r);
  }

  @Override
  public int deleteJobs(JobFilter filter, int limit) {
    return inspector.deleteJobs(filter, limit);
  }

  @Override
  public List<JobInfo> lookup(QueueName queue, List<Long> ids, boolean includeBody) {
    return inspector.lookup(queue, ids, includeBody);
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
    return maintenance.rescueExpiredClaims(queue, claimedBeforeMillis, limit);
  }

  @Override
  public int expireJobs(QueueName queue, long nowMillis, int limit) {
    return maintenance.expireJobs(queue, nowMillis, limit);
  }

  @Override
  public boolean hasExpiredJobs(QueueName queue, long nowMillis) {
    return maintenance.hasExpiredJobs(queue, nowMillis);
  }

  @Override
  public int pruneFinished(QueueName queue, JobState state, long finishedBeforeMillis, int limit) {
    return maintenance.pruneFinished(queue, state, finishedBeforeMillis, limit);
  }

  @Override
  public Map<String, Long> unfinishedJobs() {
    return maintenance.unfinishedJobs();
  }

  @Override
  public int heartbeat(String serverId, long nowMillis, long liveSinceMillis) {
    return maintenance.heartbeat(serverId, nowMillis, liveSinceMillis);
  }

  @Override
  public void leaveHeartbeat(String serverId) {
    maintenance.leaveHeartbeat(serverId);
  }

  // --- schedules ---

  @Override
  public Schedule createSchedule(ScheduleSpec spec, long createdAtMillis, long firstFireAtMillis) {
    return schedules.create(spec, createdAtMillis, firstFireAtMillis);
  }

  @Override
  public List<Schedule> listSchedules(QueueName queue) {
    return schedules.list(queue);
  }

  @Override
  public boolean deleteSchedule(long id) {
    return schedules.delete(id);
  }

  @Override
  public List<Schedule> dueSchedules(long nowMillis, int limit) {
    return schedules.due(nowMillis, limit);
  }

  @Override
  public boolean advanceSchedule(long id, long expectedNextMillis, long newNextMillis) {
    return schedules.advance(id, expectedNextMillis, newNextMillis);
  }

  @Override
  public io.hourglass.server.queue.DashboardStore dashboard() {
    return dashboard;
  }

  @Override
  public void close() {
    try {
      ops.close();
      pool.close();
      adminPool.close();
    } catch (Exception e) {
      LOG.warn("shard {}: closing the pool failed: {}", sql.shardId(), e.getMessage());
    }
  }
}
