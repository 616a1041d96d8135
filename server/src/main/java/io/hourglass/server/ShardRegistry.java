package io.hourglass.server;

import io.hourglass.server.config.PoolSettings;
import io.hourglass.server.config.ShardConfig;
import io.hourglass.server.config.ShardSpec;
import io.hourglass.server.mysql.MySqlBackend;
import io.hourglass.server.queue.Shard;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The live set of shards. {@link #get()} is what every request sees; {@link #apply} swaps in a new
 * config, reusing the pools whose connection did not change and closing the ones replaced.
 */
final class ShardRegistry implements Supplier<List<Shard>>, AutoCloseable {
  private record Live(ShardSpec spec, MySqlBackend backend) {}

  private final PoolSettings pool;
  private final Clock clock;
  private volatile Map<Integer, Live> live = Map.of();
  private volatile List<Shard> shards = List.of();

  ShardRegistry(PoolSettings pool, Clock clock) {
    this.pool = pool;
    this.clock = clock;
  }

  @Override
  public List<Shard> get() {
    return shards;
  }

  synchronized void apply(ShardConfig config) {
    Map<Integer, Live> next = new HashMap<>();
    List<Shard> list = new ArrayList<>();
    for (ShardSpec spec : config.shards()) {
      Live old = live.get(spec.id());
      Live l = old != null && old.spec().connectionKey().equals(spec.connectionKey())
              && old.spec().password().equals(spec.password())
          ? new Live(spec, old.backend())
          : new Live(spec, MySqlBackend.open(spec, pool, clock));
      next.put(spec.id(), l);
      list.add(new Shard(l.backend(), spec.dequeueOnly()));
    }
    Map<Integer, Live> previous = live;
    live = Map.copyOf(next);
    shards = List.copyOf(list);
    previous.forEach((id, old) -> {
      Live now = next.get(id);
      if (now == null || now.backend() != old.backend()) {
        old.backend().close();
      }
    });
  }

  @Override
  public synchronized void close() {
    live.values().forEach(l -> l.backend().close());
    live = Map.of();
    shards = List.of();
  }
}
