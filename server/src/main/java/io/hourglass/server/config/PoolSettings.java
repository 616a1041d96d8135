package io.hourglass.server.config;

import java.time.Duration;

/**
 * Per-shard connection settings shared by every shard.
 *
 * @param maxConcurrentClaims claims run at once on one shard; more wait in the server. Claims
 *     contend on the same index range, and on this 2-core reference machine 16 concurrent
 *     claimers gave a third of the throughput of 4 (see README "Claim statement").
 * @param statementTimeout longest one request-path statement (enqueue, claim, ack, checkpoint,
 *     lookup, maintenance batch) may run before the shard itself stops it; well under
 *     {@code socketTimeout}, so a slow statement is an error and not a lost connection
 * @param admin the separate, smaller pool of operator statements (counts, scans, retries, deletes)
 */
public record PoolSettings(
    int maxConnections,
    Duration connectTimeout,
    Duration socketTimeout,
    int maxConcurrentClaims,
    Duration statementTimeout,
    AdminPool admin) {

  public static final Duration DEFAULT_STATEMENT_TIMEOUT = Duration.ofSeconds(10);
  public static final AdminPool DEFAULT_ADMIN = new AdminPool(2, Duration.ofSeconds(20));

  /**
   * Operator statements run on connections of their own, so a regex count that runs for its
   * whole time limit can never take a connection enqueue, dequeue or ack need.
   *
   * @param maxConnections connections per shard for counts, scans, retries and deletes
   * @param statementTimeout longest one of those statements may run before the shard stops it
   */
  public record AdminPool(int maxConnections, Duration statementTimeout) {}

  public PoolSettings {
    if (statementTimeout.compareTo(socketTimeout) >= 0 || admin.statementTimeout().compareTo(socketTimeout) >= 0) {
      throw new ConfigException("pool.statementTimeoutMillis (" + statementTimeout.toMillis()
          + ") and admin.statementTimeoutMillis (" + admin.statementTimeout().toMillis()
          + ") must be below pool.socketTimeoutMillis (" + socketTimeout.toMillis()
          + "): the shard must stop a slow statement before the client gives up on the connection");
    }
  }

  /** Default statement limits and admin pool. */
  public PoolSettings(int maxConnections, Duration connectTimeout, Duration socketTimeout, int maxConcurrentClaims) {
    this(maxConnections, connectTimeout, socketTimeout, maxConcurrentClaims,
        min(DEFAULT_STATEMENT_TIMEOUT, socketTimeout.dividedBy(2)),
        new AdminPool(DEFAULT_ADMIN.maxConnections(), min(DEFAULT_ADMIN.statementTimeout(), socketTimeout.dividedBy(2))));
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }
}
