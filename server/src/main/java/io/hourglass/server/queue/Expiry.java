package io.hourglass.server.queue;

import java.time.Instant;

/** The custom status an expired job gets (in front of its old one), the same from every backend. */
public final class Expiry {
  public static final String PREFIX = "expired at ";

  private Expiry() {}

  /** {@code expired at 2026-12-01T10:00:00Z}: the job's own expiry time, ISO-8601 UTC. */
  public static String status(long expiresAtMillis) {
    return PREFIX + Instant.ofEpochMilli(expiresAtMillis);
  }
}
