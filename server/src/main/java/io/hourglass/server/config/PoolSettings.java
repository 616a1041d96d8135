package io.hourglass.server.config;

import java.time.Duration;

/**
 * Per-shard connection settings shared by every shard.
 *
 * @param maxConcurrentClaims claims run at once on one shard; more wait in the server. Claims
 *     contend on the same index range, and on this 2-core reference machine 16 concurrent
 *     claimers gave a third of the throughput of 4 (see README "Claim statement").
 */
public record PoolSettings(
    int maxConnections, Duration connectTimeout, Duration socketTimeout, int maxConcurrentClaims) {}
