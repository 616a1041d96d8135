package io.hourglass.server.config;

import java.time.Duration;

/** Connection-pool settings shared by every shard's pool. */
public record PoolSettings(int maxConnections, Duration connectTimeout, Duration socketTimeout) {}
