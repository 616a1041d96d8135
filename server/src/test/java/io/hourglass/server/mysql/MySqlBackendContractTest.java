package io.hourglass.server.mysql;

import io.hourglass.server.config.PoolSettings;
import io.hourglass.server.config.ShardSpec;
import io.hourglass.server.queue.QueueBackend;
import io.hourglass.server.queue.QueueBackendContractAccess;
import io.hourglass.testing.LocalShards;
import java.time.Duration;

/** The storage contract on a real MariaDB shard. */
class MySqlBackendContractTest extends QueueBackendContractAccess {
  @Override
  protected QueueBackend newBackend() {
    ShardSpec spec = new ShardSpec(1, "127.0.0.1", LocalShards.get().port(1), "root", "", "hg_contract", false);
    return MySqlBackend.open(spec, new PoolSettings(4, Duration.ofSeconds(2), Duration.ofSeconds(30), 4), clock);
  }
}
