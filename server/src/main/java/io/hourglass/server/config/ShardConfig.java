package io.hourglass.server.config;

import java.util.List;

/** The validated content of a shard-config file. */
public record ShardConfig(List<ShardSpec> shards) {
  public ShardConfig {
    shards = List.copyOf(shards);
  }
}
