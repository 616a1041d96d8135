package io.hourglass.server;

import io.hourglass.server.config.ConfigException;
import io.hourglass.server.config.PoolSettings;
import io.hourglass.server.config.ShardConfig;
import io.hourglass.server.config.ShardSpec;
import io.hourglass.server.health.QueueSync;
import io.hourglass.server.health.ShardStatus;
import io.hourglass.server.mysql.MySqlBackend;
import io.hourglass.server.mysql.PoolStats;
import io.hourglass.server.queue.QueueException;
import io.hourglass.server.queue.Shard;
import io.hourglass.server.queue.ShardHealth;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live set of shards. {@link #get()} is what every request sees; {@link #apply} swaps in a
 * new config: pools whose connection did not change are kept, new shards get every existing
 * queue before they take enqueues, replaced pools close once their statements have finished,
 * and a shard that still holds unfinished jobs is only removed when the file says so.
 */
final class ShardRegistry implements Supplier<List<Shard>>, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ShardRegistry.class);
  /** Requests that read the shard list just before a swap may still pick a replaced pool. */
  private static final Duration RETIRE_GRACE = Duration.ofSeconds(1);

  private record Live(ShardSpec spec, MySqlBackend backend, Shard shard) {}

  private final PoolSettings pool;
  private final Clock clock;
  /** HikariCP reports its own pool metrics here (null: nowhere). */
  private final io.micrometer.core.instrument.MeterRegistry poolMetrics;
  private final Set<MySqlBackend> retiring = ConcurrentHashMap.newKeySet();
  private volatile Map<Integer, Live> live = Map.of();
  private volatile List<Shard> shards = List.of();

  ShardRegistry(PoolSettings pool, Clock clock, io.micrometer.core.instrument.MeterRegistry poolMetrics) {
    this.poolMetrics = poolMetrics;
    this.pool = pool;
    this.clock = clock;
  }

  @Override
  public List<Shard> get() {
    return shards;
  }

  void apply(ShardConfig config) {
    apply(config, Path.of("shard config"));
  }

  /**
   * Applies a validated config read from {@code file}; throws ConfigException (nothing changed)
   * when it removes a shard that still holds unfinished jobs without listing it in removeAllowed.
   */
  synchronized void apply(ShardConfig config, Path file) {
    Map<Integer, Live> previous = live;
    refuseUnsafeRemovals(config, previous, file);
    Map<Integer, Live> next = new LinkedHashMap<>();
    List<Integer> added = new ArrayList<>();
    List<Integer> reconnected = new ArrayList<>();
    List<MySqlBackend> opened = new ArrayList<>();
    try {
      for (ShardSpec spec : config.shards()) {
        Live old = previous.get(spec.id());
        MySqlBackend backend;
        if (old != null && sameConnection(old.spec(), spec)) {
          backend = old.backend();
        } else {
          backend = MySqlBackend.open(spec, pool, clock, new ShardHealth(spec.id(), false));
          opened.add(backend);
          if (poolMetrics != null) {
            backend.dataSource().setMetricRegistry(poolMetrics);
          }
          (old == null ? added : reconnected).add(spec.id());
        }
        next.put(spec.id(), new Live(spec, backend, new Shard(backend, spec.dequeueOnly(), backend.health())));
      }
    } catch (RuntimeException e) {
      opened.forEach(MySqlBackend::close);
      throw new ConfigException(file + ": cannot open a shard's pool: " + e.getMessage(), e);
    }
    // Requests first: whatever /shards shows (from live) is already what requests use.
    shards = next.values().stream().map(Live::shard).toList();
    live = java.util.Collections.unmodifiableMap(next); // config order, for /shards
    syncNewShards();
    List<Integer> removed = new ArrayList<>();
    previous.forEach((id, old) -> {
      Live now = next.get(id);
      if (now == null || now.backend() != old.backend()) {
        retire(old.backend());
        if (now == null) {
          removed.add(id);
        }
      }
    });
    LOG.info("shards now {} (added {}, reconnected {}, removed {}, draining {})", next.keySet(), added,
        reconnected, removed, config.shards().stream().filter(ShardSpec::dequeueOnly).map(ShardSpec::id).toList());
  }

  private static boolean sameConnection(ShardSpec a, ShardSpec b) {
    return a.connectionKey().equals(b.connectionKey()) && a.password().equals(b.password());
  }

  private void refuseUnsafeRemovals(ShardConfig config, Map<Integer, Live> previous, Path file) {
    Set<Integer> kept = new TreeSet<>();
    config.shards().forEach(s -> kept.add(s.id()));
    for (Live old : previous.values()) {
      int id = old.spec().id();
      if (kept.contains(id) || config.removeAllowed().contains(id)) {
        continue;
      }
      Map<String, Long> unfinished;
      try {
        unfinished = old.backend().unfinishedJobs();
      } catch (QueueException e) {
        throw new ConfigException(file + ": shards: shard " + id + " was removed, but it cannot be checked "
            + "for unfinished jobs (" + e.getMessage() + "). Add \"removeAllowed\": [" + id
            + "] to remove it anyway, abandoning whatever it holds.");
      }
      if (!unfinished.isEmpty()) {
        long total = unfinished.values().stream().mapToLong(Long::longValue).sum();
        throw new ConfigException(file + ": shards: shard " + id + " was removed but still holds " + total
            + " unfinished (PENDING or IN_PROGRESS) jobs " + unfinished + ". Drain it first (\"dequeueOnly\": "
            + "true, wait until GET /shards shows it with no unfinished jobs), or add \"removeAllowed\": ["
            + id + "] to abandon them.");
      }
    }
  }

  /** Shards that are new (or back) get every queue now; what fails here the prober retries. */
  private void syncNewShards() {
    List<Shard> all = shards;
    for (Shard s : all) {
      if (!s.health().queuesSynced() && s.isUp()) {
        try {
          QueueSync.sync(s, all);
        } catch (QueueException e) {
          LOG.warn("shard {}: could not create its queues yet, it takes no enqueues until it can: {}",
              s.id(), e.getMessage());
        }
      }
    }
  }

  private void retire(MySqlBackend backend) {
    retiring.add(backend);
    Duration maxWait = pool.socketTimeout().plus(pool.connectTimeout());
    Thread t = new Thread(() -> {
      backend.closeWhenIdle(RETIRE_GRACE, maxWait);
      retiring.remove(backend);
    }, "retire-shard-" + backend.shardId());
    t.setDaemon(true);
    t.start();
  }

  /**
   * Every shard in config order, for the admin port. {@code countUnfinished}: also count what a
   * draining shard still holds (one COUNT per queue; for /shards, not for every metrics scrape).
   */
  List<ShardStatus> status(boolean countUnfinished) {
    List<ShardStatus> out = new ArrayList<>();
    for (Live l : live.values()) {
      ShardHealth h = l.backend().health();
      ShardStatus.State state = !h.isUp() ? ShardStatus.State.DOWN
          : l.spec().dequeueOnly() ? ShardStatus.State.DRAINING : ShardStatus.State.HEALTHY;
      PoolStats p = l.backend().poolStats();
      out.add(new ShardStatus(l.spec().id(), l.spec().host(), l.spec().port(), l.spec().database(), state,
          h.queuesSynced(), h.downReason(), h.millisInState(), h.errors(), h.downs(),
          new ShardStatus.Pool(p.active(), p.idle(), p.total(), p.waiting()),
          countUnfinished && state == ShardStatus.State.DRAINING ? unfinished(l) : null));
    }
    return out;
  }

  private static Map<String, Long> unfinished(Live l) {
    try {
      return l.backend().unfinishedJobs();
    } catch (QueueException e) {
      return null;
    }
  }

  @Override
  public synchronized void close() {
    live.values().forEach(l -> l.backend().close());
    retiring.forEach(MySqlBackend::close);
    live = Map.of();
    shards = List.of();
  }
}
