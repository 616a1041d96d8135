package io.hourglass.server.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * The server's own settings, from a properties file plus {@code key=value} overrides on the
 * command line. Every key, its default and its meaning is in {@link #DEFAULTS} and the README.
 */
public record ServerConfig(
    String thriftHost,
    int thriftPort,
    int adminPort,
    Path shardConfigPath,
    PoolSettings pool,
    int serverThreads,
    int priorityLevels,
    int maxDequeueLimit,
    int maxConcurrentEnqueues,
    Duration emptySlotCacheTtl,
    Duration maxDequeueWait,
    ProbeIntervals dequeueProbe,
    ThriftLimits thriftLimits,
    String deletePasswordHash,
    Duration configPollInterval,
    Path queueConfigPath,
    HealthSettings health,
    MaintenanceSettings maintenance,
    Duration heartbeatInterval,
    AdminSettings admin) {

  /**
   * The dashboard on the admin port (see admin.Dashboard).
   *
   * @param actionsEnabled {@code admin.actions}: whether the dashboard offers changes at all
   * @param passwordHash {@code admin.passwordHash}: the operators' credential (PBKDF2, like
   *     queue.deletePasswordHash); without one, no action is accepted
   * @param countsRefresh how often the background counts are refreshed (and read back)
   * @param maxBatch most jobs one retry or delete action may change
   */
  public record AdminSettings(boolean actionsEnabled, String passwordHash, Duration countsRefresh, int maxBatch) {}

  /**
   * What one Thrift request may declare: a longer frame is refused from its length prefix (never
   * buffered), longer strings or bigger containers are refused before they are allocated.
   */
  public record ThriftLimits(int maxFrameBytes, int maxStringBytes, int maxContainerItems) {}

  /**
   * How often the long-poll probe of a queue with waiters looks for work added through other
   * servers: every {@code busy} while the queue had new work in the last second, every
   * {@code idle} once it had none for a second (an idle queue's waiters then cost 1000/idle
   * statements per shard per second); {@code idle} is never below {@code busy}.
   */
  public record ProbeIntervals(Duration busy, Duration idle) {}

  /** How shards are probed (see health.ShardProber). */
  public record HealthSettings(Duration probeInterval, Duration probeTimeout) {}

  /**
   * Claim-timeout rescue, GC of finished jobs, the expiry sweep and schedule ticks.
   * {@code claimTimeout} and {@code retention} are the defaults for queues that the queue-config
   * file does not set.
   */
  public record MaintenanceSettings(
      Duration rescueInterval, Duration gcInterval, Duration claimTimeout, Duration retention, int batchSize,
      Duration expiryInterval, Duration scheduleInterval) {}

  /** Every key with its default. Unknown keys are rejected so typos do not go unnoticed. */
  public static final Map<String, String> DEFAULTS = defaults();

  private static Map<String, String> defaults() {
    Map<String, String> d = new LinkedHashMap<>();
    d.put("thrift.host", "0.0.0.0");
    d.put("thrift.port", "9010");
    d.put("admin.port", "9011");
    d.put("shardConfig", "shard-config/local.json");
    d.put("pool.maxConnections", "10");
    d.put("pool.connectTimeoutMillis", "2000");
    d.put("pool.socketTimeoutMillis", "30000");
    d.put("pool.maxConcurrentClaims", "4");
    d.put("pool.statementTimeoutMillis", String.valueOf(PoolSettings.DEFAULT_STATEMENT_TIMEOUT.toMillis()));
    d.put("admin.maxConnections", String.valueOf(PoolSettings.DEFAULT_ADMIN.maxConnections()));
    d.put("admin.statementTimeoutMillis", String.valueOf(PoolSettings.DEFAULT_ADMIN.statementTimeout().toMillis()));
    d.put("server.threads", "64");
    d.put("priorityLevels", "3");
    d.put("dequeue.maxLimit", "10000");
    d.put("enqueue.maxConcurrent", "48");
    d.put("dequeue.emptySlotCacheMillis", "100");
    d.put("dequeue.maxWaitMillis", "20000");
    d.put("dequeue.pollMillis", "100");
    d.put("dequeue.idlePollMillis", "250");
    // One 16 MiB body (the largest allowed) plus the rest of its enqueue request.
    d.put("thrift.maxFrameBytes", String.valueOf(17 * 1024 * 1024));
    d.put("thrift.maxStringBytes", String.valueOf(32 * 1024 * 1024));
    d.put("thrift.maxContainerItems", "100000");
    d.put("queue.deletePasswordHash", "");
    d.put("config.pollMillis", "2000");
    d.put("queueConfig", "");
    d.put("health.probeIntervalMillis", "1000");
    d.put("health.probeTimeoutMillis", "500");
    d.put("maintenance.rescueIntervalMillis", "15000");
    d.put("maintenance.gcIntervalMillis", "60000");
    d.put("maintenance.claimTimeoutMillis", "600000");
    d.put("maintenance.retentionMillis", String.valueOf(7L * 24 * 3600 * 1000));
    d.put("maintenance.batchSize", "1000");
    d.put("maintenance.expiryIntervalMillis", "5000");
    d.put("maintenance.scheduleIntervalMillis", "1000");
    d.put("cluster.heartbeatMillis", "2000");
    d.put("admin.actions", "false");
    d.put("admin.passwordHash", "");
    d.put("admin.countsRefreshMillis", "10000");
    d.put("admin.maxBatch", "10000");
    return Map.copyOf(d);
  }

  /** Loads {@code file} (may be null: defaults only) and applies {@code overrides} on top. */
  public static ServerConfig load(Path file, Map<String, String> overrides) {
    Map<String, String> values = new LinkedHashMap<>(DEFAULTS);
    String source = "command line";
    if (file != null) {
      Properties p = new Properties();
      try (Reader r = Files.newBufferedReader(file)) {
        p.load(r);
      } catch (IOException e) {
        throw new ConfigException(file + ": cannot read server config: " + e.getMessage(), e);
      }
      for (String key : p.stringPropertyNames()) {
        put(values, file.toString(), key, p.getProperty(key).trim());
      }
    }
    overrides.forEach((k, v) -> put(values, source, k, v));
    String where = file == null ? source : file + " / " + source;
    Values reader = new Values(where, values);
    try {
      return build(values, reader);
    } catch (ConfigException e) {
      throw e.getMessage().startsWith(where) ? e : new ConfigException(where + ": " + e.getMessage(), e);
    }
  }

  private static ServerConfig build(Map<String, String> values, Values reader) {
    int levels = reader.intIn("priorityLevels", 1, 100);
    return new ServerConfig(
        values.get("thrift.host"),
        reader.intIn("thrift.port", 0, 65535),
        reader.intIn("admin.port", 0, 65535),
        Path.of(values.get("shardConfig")),
        new PoolSettings(
            reader.intIn("pool.maxConnections", 1, 1000),
            Duration.ofMillis(reader.intIn("pool.connectTimeoutMillis", 250, 600_000)),
            Duration.ofMillis(reader.intIn("pool.socketTimeoutMillis", 1000, 3_600_000)),
            reader.intIn("pool.maxConcurrentClaims", 1, 1000),
            statementLimit(values, reader, "pool.statementTimeoutMillis"),
            new PoolSettings.AdminPool(
                reader.intIn("admin.maxConnections", 1, 100),
                statementLimit(values, reader, "admin.statementTimeoutMillis"))),
        reader.intIn("server.threads", 2, 10_000),
        levels,
        reader.intIn("dequeue.maxLimit", 1, 1_000_000),
        reader.intIn("enqueue.maxConcurrent", 1, 100_000),
        Duration.ofMillis(reader.intIn("dequeue.emptySlotCacheMillis", 0, 60_000)),
        Duration.ofMillis(reader.intIn("dequeue.maxWaitMillis", 0, 300_000)),
        new ProbeIntervals(Duration.ofMillis(reader.intIn("dequeue.pollMillis", 10, 60_000)),
            // never quicker than dequeue.pollMillis: a config that slows the probe slows it when idle too
            Duration.ofMillis(Math.max(reader.intIn("dequeue.pollMillis", 10, 60_000),
                reader.intIn("dequeue.idlePollMillis", 10, 60_000)))),
        new ThriftLimits(
            reader.intIn("thrift.maxFrameBytes", 1024, Integer.MAX_VALUE),
            reader.intIn("thrift.maxStringBytes", 1024, Integer.MAX_VALUE),
            reader.intIn("thrift.maxContainerItems", 16, Integer.MAX_VALUE)),
        values.get("queue.deletePasswordHash"),
        Duration.ofMillis(reader.intIn("config.pollMillis", 50, 60_000)),
        values.get("queueConfig").isBlank() ? null : Path.of(values.get("queueConfig").trim()),
        new HealthSettings(
            Duration.ofMillis(reader.intIn("health.probeIntervalMillis", 50, 60_000)),
            Duration.ofMillis(reader.intIn("health.probeTimeoutMillis", 50, 60_000))),
        new MaintenanceSettings(
            Duration.ofMillis(reader.intIn("maintenance.rescueIntervalMillis", 100, DAY_MILLIS)),
            Duration.ofMillis(reader.intIn("maintenance.gcIntervalMillis", 100, DAY_MILLIS)),
            Duration.ofMillis(reader.intIn("maintenance.claimTimeoutMillis", 1000, DAY_MILLIS)),
            Duration.ofMillis(reader.longIn("maintenance.retentionMillis", 0, 3650L * DAY_MILLIS)),
            reader.intIn("maintenance.batchSize", 1, 100_000),
            Duration.ofMillis(reader.intIn("maintenance.expiryIntervalMillis", 100, DAY_MILLIS)),
            Duration.ofMillis(reader.intIn("maintenance.scheduleIntervalMillis", 100, 60_000))),
        Duration.ofMillis(reader.intIn("cluster.heartbeatMillis", 100, 60_000)),
        new AdminSettings(
            reader.bool("admin.actions"),
            values.get("admin.passwordHash").trim(),
            Duration.ofMillis(reader.intIn("admin.countsRefreshMillis", 100, DAY_MILLIS)),
            reader.intIn("admin.maxBatch", 1, 1_000_000)));
  }

  private static final int DAY_MILLIS = 24 * 3600 * 1000;

  /**
   * A statement time limit; left at its default, it is at most half of pool.socketTimeoutMillis,
   * so that lowering the socket timeout alone stays a valid config.
   */
  private static Duration statementLimit(Map<String, String> values, Values reader, String key) {
    Duration limit = Duration.ofMillis(reader.intIn(key, 100, 3_600_000));
    if (!values.get(key).equals(DEFAULTS.get(key))) {
      return limit;
    }
    Duration half = Duration.ofMillis(reader.intIn("pool.socketTimeoutMillis", 1000, 3_600_000) / 2);
    return limit.compareTo(half) <= 0 ? limit : half;
  }

  private static void put(Map<String, String> values, String source, String key, String value) {
    if (!DEFAULTS.containsKey(key)) {
      throw new ConfigException(source + ": " + key + ": unknown server config key (known: "
          + new java.util.TreeSet<>(DEFAULTS.keySet()) + ")");
    }
    values.put(key, value);
  }

  private record Values(String where, Map<String, String> values) {
    int intIn(String key, int min, int max) {
      return (int) longIn(key, min, max);
    }

    boolean bool(String key) {
      String raw = values.get(key).trim();
      if (!raw.equals("true") && !raw.equals("false")) {
        throw new ConfigException(where + ": " + key + "=" + raw + " must be true or false");
      }
      return raw.equals("true");
    }

    long longIn(String key, long min, long max) {
      String raw = values.get(key);
      try {
        long v = Long.parseLong(raw);
        if (v < min || v > max) {
          throw new ConfigException(where + ": " + key + "=" + raw + " is outside " + min + ".." + max);
        }
        return v;
      } catch (NumberFormatException e) {
        throw new ConfigException(where + ": " + key + "=" + raw + " is not a whole number");
      }
    }
  }
}
