package io.hourglass.server.queue;

/**
 * A validated job to store. Times are epoch milliseconds from the server's clock.
 *
 * @param uniqueKey null for a job without one; else at most one unfinished (PENDING or
 *     IN_PROGRESS) job of the queue holds it, and the job goes to the shard the key hashes to
 *     (see {@link KeyRouter})
 * @param expiresAtMillis null: never expires; else a job not claimed by then is never handed
 *     out and moves to FAILED (see {@link QueueBackend#expireJobs})
 */
public record NewJob(
    byte[] body, int priority, long runAfterMillis, int attemptsAllowed, String customStatus,
    String uniqueKey, Long expiresAtMillis) {

  /** Longest unique key, in characters (the keys table's primary key holds it whole). */
  public static final int UNIQUE_KEY_MAX_CHARS = 255;

  /** A job without unique key or expiry: what a PinLater client can ask for. */
  public NewJob(byte[] body, int priority, long runAfterMillis, int attemptsAllowed, String customStatus) {
    this(body, priority, runAfterMillis, attemptsAllowed, customStatus, null, null);
  }

  public NewJob withUniqueKey(String key) {
    return new NewJob(body, priority, runAfterMillis, attemptsAllowed, customStatus, key, expiresAtMillis);
  }

  public NewJob withExpiry(Long expiresAt) {
    return new NewJob(body, priority, runAfterMillis, attemptsAllowed, customStatus, uniqueKey, expiresAt);
  }
}
