package io.hourglass.server.mysql;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import io.hourglass.server.config.PoolSettings;
import io.hourglass.server.config.ShardSpec;
import io.hourglass.server.queue.MaintenanceLease;
import io.hourglass.server.queue.QueueException;
import io.hourglass.server.queue.ShardHealth;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operational side of one shard's backend: its health gate, the probe, maintenance leases,
 * and the pool figures. Requests go through {@link ShardSql#run}; this class holds what keeps
 * them away from a dead shard and what lets a replaced pool close only once idle.
 */
final class ShardOps implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ShardOps.class);
  private static final int MAX_LOCK_NAME = 64;

  private final int shardId;
  private final String database;
  private final HikariDataSource hikari;
  private final PoolSettings settings;
  private final ShardHealth health;
  private final DirectConnections direct;
  private final ConnectGate gate;
  private final AtomicInteger inflight = new AtomicInteger();
  private final String serverName = ProcessHandle.current().pid() + "@" + hostName();
  /**
   * Connections of finished leases, kept for the next (each maintenance cycle opened one, and a
   * new connection costs four statements of set-up); as many as leases ran at once, at most
   * one per maintenance task. Dropped when the shard goes down or the backend closes.
   */
  private final java.util.concurrent.ConcurrentLinkedDeque<Connection> idleLeaseConnections =
      new java.util.concurrent.ConcurrentLinkedDeque<>();
  /** Kept open between probes (one per second); replaced when a probe fails. */
  private Connection probeConnection;
  /** When a request statement last came back from the shard ({@link System#nanoTime}); see {@link #probe}. */
  private volatile long lastAnswerNanos = System.nanoTime() - java.util.concurrent.TimeUnit.DAYS.toNanos(1);

  ShardOps(ShardSpec shard, HikariDataSource hikari, PoolSettings settings, ShardHealth health, ConnectGate gate) {
    this.shardId = shard.id();
    this.database = shard.database();
    this.hikari = hikari;
    this.settings = settings;
    this.health = health;
    this.direct = new DirectConnections(shard);
    this.gate = gate;
  }

  ShardHealth health() {
    return health;
  }

  /** Statements running (or waiting for a connection) on the pool right now. */
  AtomicInteger inflight() {
    return inflight;
  }

  void failFastWhenDown() {
    if (!health.isUp()) {
      throw new QueueException(QueueException.Kind.SHARD_CONNECTION_FAILED,
          "shard " + shardId + " is down (" + health.downReason() + "); retry later");
    }
  }

  /** Books a failure against the shard's health; returns it for throwing. */
  QueueException failed(QueueException e) {
    switch (e.kind()) {
      case SHARD_CONNECTION_FAILED -> {
        health.recordError();
        if (!poolExhausted(e) && !SqlErrors.isStatementTimeout(e.getCause())) {
          gate.shut();
          evictIdleConnections();
          health.markDown(e.getMessage());
        }
      }
      case INTERNAL -> health.recordError();
      default -> { }
    }
    return e;
  }

  /**
   * HikariCP's "connection is not available" timeout carries the last connect failure as its
   * cause when the shard cannot be reached, and no cause when every connection is simply busy:
   * an overloaded shard is not a dead one, and must not leave rotation for it.
   */
  private static boolean poolExhausted(QueueException e) {
    return SqlErrors.isPoolExhausted(e.getCause());
  }

  /** Pooled connections to a shard that died are dead too: let the pool replace them. */
  private void evictIdleConnections() {
    HikariPoolMXBean bean = hikari.getHikariPoolMXBean();
    if (bean != null && !hikari.isClosed()) {
      bean.softEvictConnections();
    }
  }

  PoolStats poolStats() {
    HikariPoolMXBean bean = hikari.getHikariPoolMXBean();
    if (bean == null || hikari.isClosed()) {
      return PoolStats.CLOSED;
    }
    return new PoolStats(bean.getActiveConnections(), bean.getIdleConnections(),
        bean.getTotalConnections(), bean.getThreadsAwaitingConnection());
  }

  /**
   * Waits until no statement runs on the pool (at most {@code maxWait}). HikariCP's own close
   * aborts connections in use, so a replaced pool must not be closed before this.
   */
  void awaitIdle(Duration grace, Duration maxWait) {
    long deadline = System.nanoTime() + maxWait.toNanos();
    try {
      // Requests that read the old shard list just before the swap may not have started yet.
      Thread.sleep(grace.toMillis());
      evictIdleConnections();
      while (System.nanoTime() < deadline && (inflight.get() > 0 || poolStats().active() > 0)) {
        Thread.sleep(50);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (inflight.get() > 0) {
      LOG.warn("shard {}: closing a replaced pool with {} statements still running after {} ms",
          shardId, inflight.get(), maxWait.toMillis());
    }
  }

  /** A request statement came back from the shard. */
  void answered() {
    lastAnswerNanos = System.nanoTime();
  }

  /**
   * {@code SELECT 1} on the probe's own connection. While the shard counts as down, an answer
   * opens the {@link ConnectGate} and the probe passes only once the request pool hands out a
   * connection too: a shard readmitted on the probe alone met its first requests with an empty
   * pool, and their "connection is not available" timeouts took it out of rotation again.
   *
   * <p>A shard that is up and answered a request more recently than a probe's timeout ago gets
   * no {@code SELECT 1}: it has just shown what the probe would. Busy servers, and idle ones with
   * long-polling workers (whose probe reads every shard several times a second), so send none;
   * a shard that stops answering is probed again within one probe interval.
   */
  synchronized void probe(Duration timeout) {
    if (health.isUp() && System.nanoTime() - lastAnswerNanos < timeout.toNanos()) {
      return;
    }
    try {
      if (probeConnection == null) {
        probeConnection = direct.open(timeout, timeout);
      }
      try (Statement s = probeConnection.createStatement();
          ResultSet rs = s.executeQuery(MySqlQueries.PROBE)) {
        rs.next();
      }
    } catch (SQLException e) {
      closeProbeConnection();
      closeIdleLeaseConnections();
      gate.shut();
      evictIdleConnections();
      throw new QueueException(QueueException.Kind.SHARD_CONNECTION_FAILED,
          "shard " + shardId + " did not answer a probe within " + timeout.toMillis() + " ms: "
              + e.getMessage(), e);
    }
    gate.open();
    if (!health.isUp()) {
      awaitPooledConnection();
    }
  }

  /** Borrows (and returns) one request-pool connection, waiting at most the pool's connect timeout. */
  private void awaitPooledConnection() {
    try (Connection c = hikari.getConnection()) {
      // Borrowed, so requests will get one too; HikariCP checks it if it sat idle.
    } catch (SQLException e) {
      throw new QueueException(QueueException.Kind.SHARD_CONNECTION_FAILED,
          "shard " + shardId + " answers probes, but its request pool got no connection within "
              + hikari.getConnectionTimeout() + " ms: " + e.getMessage(), e);
    }
  }

  private synchronized void closeProbeConnection() {
    closeQuietly(probeConnection);
    probeConnection = null;
  }

  /**
   * See {@link io.hourglass.server.queue.QueueBackend#tryLease}. The last run is read first
   * without the lock: on N servers, N − 1 of every cycle find the task done a moment ago, and
   * that costs them one statement. Otherwise the lock is taken and the last run read again
   * under it (another server may have run the task in between).
   */
  MaintenanceLease tryLease(String task, long nowMillis, long minIntervalMillis) {
    failFastWhenDown();
    String lock = lockName(task);
    Connection c = null;
    try {
      c = leaseConnection();
      if (ranRecently(c, task, nowMillis, minIntervalMillis)) {
        idleLeaseConnections.offerFirst(c);
        return MaintenanceLease.holdingNothing(MaintenanceLease.Outcome.RAN_RECENTLY);
      }
      if (!getLock(c, lock)) {
        idleLeaseConnections.offerFirst(c);
        return MaintenanceLease.holdingNothing(MaintenanceLease.Outcome.HELD_ELSEWHERE);
      }
      HeldLease lease = new HeldLease(c, lock);
      if (ranRecently(c, task, nowMillis, minIntervalMillis)) {
        lease.close();
        return MaintenanceLease.holdingNothing(MaintenanceLease.Outcome.RAN_RECENTLY);
      }
      try (PreparedStatement ps = c.prepareStatement(MySqlQueries.RECORD_MAINTENANCE_RUN)) {
        ps.setString(1, task);
        ps.setLong(2, nowMillis);
        ps.setString(3, serverName);
        ps.executeUpdate();
      }
      return lease;
    } catch (SQLException e) {
      closeQuietly(c); // a lock it may hold dies with it
      throw failed(SqlErrors.translate(shardId, null, e));
    }
  }

  /**
   * A connection for a lease: an idle one kept from an earlier lease (checked with a ping,
   * which is no statement), else a new one, on which the table of last runs is made sure of
   * once. Kept connections hold no lock: a lease goes back to the idle ones only after its
   * RELEASE_LOCK answered.
   */
  private Connection leaseConnection() throws SQLException {
    Connection c;
    while ((c = idleLeaseConnections.pollFirst()) != null) {
      if (c.isValid((int) Math.max(1, settings.connectTimeout().toSeconds()))) {
        return c;
      }
      closeQuietly(c);
    }
    c = direct.open(settings.connectTimeout(), settings.socketTimeout());
    try (Statement s = c.createStatement()) {
      s.execute(MySqlQueries.CREATE_MAINTENANCE_RUNS);
    } catch (SQLException e) {
      closeQuietly(c);
      throw e;
    }
    return c;
  }

  private static boolean ranRecently(Connection c, String task, long nowMillis, long minIntervalMillis)
      throws SQLException {
    Long last = lastRun(c, task);
    return last != null && nowMillis - last < minIntervalMillis;
  }

  private static boolean getLock(Connection c, String lock) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(MySqlQueries.GET_LOCK)) {
      ps.setString(1, lock);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getInt(1) == 1;
      }
    }
  }

  private static Long lastRun(Connection c, String task) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(MySqlQueries.LAST_MAINTENANCE_RUN)) {
      ps.setString(1, task);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getLong(1) : null;
      }
    }
  }

  /**
   * GET_LOCK names are server-wide and at most 64 characters. The database is part of the name
   * so that two deployments (or test classes) sharing one MySQL server do not share a lock.
   */
  String lockName(String task) {
    String name = "hourglass_maintenance." + task + "." + database;
    if (name.length() <= MAX_LOCK_NAME) {
      return name;
    }
    String digest = UUID.nameUUIDFromBytes(database.getBytes(StandardCharsets.UTF_8)).toString().replace("-", "");
    return ("hourglass_maintenance." + task + "." + digest).substring(0, MAX_LOCK_NAME);
  }

  /** An acquired lease: the lock lives on its connection until released (or the connection closes). */
  private final class HeldLease implements MaintenanceLease {
    private final Connection connection;
    private final String lock;

    HeldLease(Connection connection, String lock) {
      this.connection = connection;
      this.lock = lock;
    }

    @Override
    public Outcome outcome() {
      return Outcome.ACQUIRED;
    }

    @Override
    public void close() {
      try (PreparedStatement ps = connection.prepareStatement(MySqlQueries.RELEASE_LOCK)) {
        ps.setString(1, lock);
        ps.executeQuery().close();
        idleLeaseConnections.offerFirst(connection);
      } catch (SQLException e) {
        LOG.debug("shard {}: releasing {} failed ({}); closing its connection frees it", shardId, lock,
            e.getMessage());
        closeQuietly(connection);
      }
    }
  }

  private static String hostName() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.io.IOException e) {
      return "unknown-host";
    }
  }

  private static void closeQuietly(Connection c) {
    if (c != null) {
      try {
        c.close();
      } catch (SQLException ignored) {
        // being thrown away; a lock on it dies with it
      }
    }
  }

  @Override
  public void close() {
    gate.close(); // before the pools close: their adder threads must not wait here for ever
    closeProbeConnection();
    closeIdleLeaseConnections();
  }

  private void closeIdleLeaseConnections() {
    Connection c;
    while ((c = idleLeaseConnections.pollFirst()) != null) {
      closeQuietly(c);
    }
  }
}
