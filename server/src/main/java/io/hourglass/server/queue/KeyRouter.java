package io.hourglass.server.queue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/**
 * Picks the shard a unique key lives on, by rendezvous (highest-random-weight) hashing: every
 * shard that takes enqueues by configuration (not {@code dequeueOnly}; health does not matter)
 * gets a weight {@code mix(hash(key), shardId)}, and the heaviest wins.
 *
 * <p>How is this designed, and why? Uniqueness is enforced by one shard's keys table, so every
 * server must send a key to the same shard, whatever its health: when that shard is down the
 * enqueue fails (SHARD_CONNECTION_FAILED) rather than create a second holder elsewhere.
 * Rendezvous hashing needs no ring or state, and a change of the shard set moves only the keys
 * whose winner changed: adding a shard moves about 1/N of the keys (to the new shard), draining
 * one moves only its own keys. A key moved while its job is unfinished on the old shard can be
 * enqueued once more on the new one — at most one duplicate per key per config change.
 */
public final class KeyRouter {
  private KeyRouter() {}

  /** The shard for {@code key} among {@code shards}; null when none takes enqueues by configuration. */
  public static Shard shardFor(String key, List<Shard> shards) {
    long h = keyHash(key);
    Shard best = null;
    long bestWeight = 0;
    for (Shard s : shards) {
      if (s.dequeueOnly()) {
        continue;
      }
      long w = mix(h ^ mix(s.id() * 0x9E3779B97F4A7C15L));
      // Unsigned compare; ties (practically impossible) go to the lower shard id.
      if (best == null || Long.compareUnsigned(w, bestWeight) > 0
          || (w == bestWeight && s.id() < best.id())) {
        best = s;
        bestWeight = w;
      }
    }
    return best;
  }

  /** The first 8 bytes of the key's SHA-256: stable across JVMs and releases. */
  static long keyHash(String key) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
      long h = 0;
      for (int i = 0; i < 8; i++) {
        h = (h << 8) | (d[i] & 0xff);
      }
      return h;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  /** SplitMix64's finalizer: a cheap bijective mix with good avalanche. */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
