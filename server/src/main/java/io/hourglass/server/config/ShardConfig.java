package io.hourglass.server.config;

import java.util.List;
import java.util.Set;

/**
 * The validated content of a shard-config file.
 *
 * @param removeAllowed ids of shards that may leave the file even though they still hold
 *     unfinished jobs or cannot be reached to check (their jobs are abandoned); never also in
 *     {@code shards}
 */
public record ShardConfig(List<ShardSpec> shards, Set<Integer> removeAllowed) {
  public ShardConfig {
    shards = List.copyOf(shards);
    removeAllowed = Set.copyOf(removeAllowed);
  }

  public ShardConfig(List<ShardSpec> shards) {
    this(shards, Set.of());
  }
}
