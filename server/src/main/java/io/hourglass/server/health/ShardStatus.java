package io.hourglass.server.health;

import java.util.Map;

/**
 * One shard as {@code GET /shards} and {@code GET /metrics} report it.
 *
 * @param unfinishedJobs PENDING + IN_PROGRESS jobs per queue; only for a draining shard that
 *     answers (how far its drain is), else null
 */
public record ShardStatus(
    int id, String host, int port, String database, State state, boolean queuesSynced, String downReason,
    long millisInState, long errors, long downs, Pool pool, Map<String, Long> unfinishedJobs) {

  public enum State {
    /** Up and taking enqueues and dequeues. */
    HEALTHY,
    /** Up, {@code dequeueOnly}: dequeues, acks and lookups only. */
    DRAINING,
    /** Not answering: out of rotation until the prober sees it again. */
    DOWN;

    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** The shard's connection pool (HikariCP's pool MXBean figures). */
  public record Pool(int active, int idle, int total, int waiting) {}
}
