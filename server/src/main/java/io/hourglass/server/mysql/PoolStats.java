package io.hourglass.server.mysql;

/** A shard pool's connections right now (HikariCP's pool MXBean figures). */
public record PoolStats(int active, int idle, int total, int waiting) {
  static final PoolStats CLOSED = new PoolStats(0, 0, 0, 0);
}
