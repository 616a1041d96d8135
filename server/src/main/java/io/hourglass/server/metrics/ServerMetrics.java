package io.hourglass.server.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.hourglass.server.health.ShardStatus;
import io.micrometer.core.instrument.MultiGauge;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * The server's metrics, behind one-line calls ({@code rpcTimer(rpc)}, {@code enqueued(queue, n)}),
 * on Micrometer's Prometheus registry (exposition by Prometheus client_java 1.x).
 *
 * <p>How is this designed, and why? Every meter name gets the {@code hourglass.} prefix (a
 * registry filter, so JVM and HikariCP meters get it too), RPC latency is a histogram with fixed
 * buckets (exact {@code _sum} and {@code _count} that add up across servers), and per-queue
 * series exist only for queues known to exist (issue 10 D6: a request naming any valid but
 * absent queue used to create series, without bound). A queue becomes known when this server
 * did real work on it (a positive count can only come from an existing queue), or when the
 * background counts list it; {@link #retainQueues} drops the series of deleted queues.
 */
public final class ServerMetrics implements AutoCloseable {
  public static final String PREFIX = "hourglass.";
  /** Latency bucket bounds: 1 ms to 30 s. */
  private static final Duration[] LATENCY_BUCKETS = {
      Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10),
      Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
      Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5),
      Duration.ofSeconds(10), Duration.ofSeconds(30)};

  /** Each {@link JobCounter}'s meter name, {@code hourglass.queue.<suffix>}. */
  private static final Map<JobCounter, String> METER_NAMES = new EnumMap<>(JobCounter.class);

  static {
    for (JobCounter c : JobCounter.values()) {
      METER_NAMES.put(c, PREFIX + "queue." + c.suffix);
    }
  }

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Set<String> knownQueues = ConcurrentHashMap.newKeySet();
  /**
   * Meters of the hot path, registered once: building and registering a meter on every call
   * (a builder, tags, an id and a registry lookup) was 3% of the server's CPU in a profile of
   * 100-job enqueues.
   */
  private final Map<String, Timer> rpcTimers = new ConcurrentHashMap<>();
  private final Map<JobCounter, Map<String, Counter>> queueCounters = new EnumMap<>(JobCounter.class);
  private final Set<Integer> shardsSeen = ConcurrentHashMap.newKeySet();
  private final JobTotals totals = new JobTotals();
  private final JvmGcMetrics gc = new JvmGcMetrics();
  private final Map<Integer, ShardStatus> latestShards = new ConcurrentHashMap<>();
  private final MultiGauge shardUp;
  private final MultiGauge shardState;
  private final MultiGauge queueJobs;
  private final MultiGauge queueFuture;
  private final MultiGauge queueOldestRunnable;
  private final MultiGauge queueOldestClaim;
  private final MultiGauge queuePaused;

  public ServerMetrics() {
    for (JobCounter c : JobCounter.values()) {
      queueCounters.put(c, new ConcurrentHashMap<>());
    }
    registry.config().meterFilter(new MeterFilter() {
      @Override
      public Meter.Id map(Meter.Id id) {
        return id.getName().startsWith(PREFIX) ? id : id.withName(PREFIX + id.getName());
      }
    });
    new JvmMemoryMetrics().bindTo(registry);
    gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    shardUp = multi("shard.up", "1 when the shard answers");
    shardState = multi("shard.state", "1 for the shard's current state");
    queueJobs = multi("queue.jobs", "jobs per queue, state and priority (background counts)");
    queueFuture = multi("queue.pending.future.jobs", "PENDING jobs whose runAfter is still ahead");
    queueOldestRunnable = multi("queue.oldest.runnable.age.seconds",
        "age of the oldest PENDING job whose runAfter has passed (0: none)");
    queueOldestClaim = multi("queue.oldest.claim.age.seconds", "age of the oldest IN_PROGRESS claim (0: none)");
    queuePaused = multi("queue.paused", "1 when an operator paused the queue");
  }

  private MultiGauge multi(String name, String description) {
    return MultiGauge.builder(PREFIX + name).description(description).register(registry);
  }

  /** For HikariCP's own pool metrics ({@code HikariDataSource.setMetricRegistry}) and binders. */
  public MeterRegistry registry() {
    return registry;
  }

  /** The Prometheus text exposition (format 0.0.4). */
  public String scrape() {
    return registry.scrape();
  }

  public static String contentType() {
    return "text/plain; version=0.0.4; charset=utf-8";
  }

  // --- the Thrift edge ---

  public Timer rpcTimer(String rpc) {
    return rpcTimers.computeIfAbsent(rpc, r -> Timer.builder(PREFIX + "rpc.latency").description("RPC latency")
        .tag("rpc", r).serviceLevelObjectives(LATENCY_BUCKETS).register(registry));
  }

  public void rpcError(String rpc, String code) {
    Counter.builder(PREFIX + "rpc.errors").description("RPCs answered with a PinLaterException")
        .tags("rpc", rpc, "code", code).register(registry).increment();
  }

  /** A queue this server created, or saw in the background counts. */
  public void queueExists(String queue) {
    knownQueues.add(queue);
  }

  /**
   * {@code n} jobs of {@code queue}. Real work ({@code n > 0}, except for the *_IGNORED
   * counters, which any request can cause) proves that the queue exists.
   */
  public void count(JobCounter counter, String queue, long n) {
    if (n <= 0) {
      return;
    }
    boolean ignored = counter == JobCounter.ACKED_IGNORED || counter == JobCounter.CHECKPOINT_IGNORED;
    if (ignored && !knownQueues.contains(queue)) {
      return; // an ack or checkpoint that changed nothing proves nothing: no series for it
    }
    knownQueues.add(queue);
    queueCounters.get(counter)
        .computeIfAbsent(queue, q -> Counter.builder(METER_NAMES.get(counter)).tag("queue", q).register(registry))
        .increment(n);
    totals.add(counter, n);
  }

  public void enqueued(String queue, long n) {
    count(JobCounter.ENQUEUED, queue, n);
  }

  public void dequeued(String queue, long n) {
    count(JobCounter.DEQUEUED, queue, n);
  }

  /** Jobs per counter summed over queues, since start (for rates on the dashboard). */
  public JobTotals totals() {
    return totals;
  }

  /** Removes the series of queues that no longer exist anywhere. */
  public void retainQueues(Set<String> existing) {
    knownQueues.retainAll(existing);
    knownQueues.addAll(existing);
    Set<String> counterNames = new java.util.HashSet<>();
    for (JobCounter c : JobCounter.values()) {
      counterNames.add(METER_NAMES.get(c));
    }
    for (Meter m : registry.getMeters()) {
      String q = m.getId().getTag("queue");
      if (q != null && !existing.contains(q) && counterNames.contains(m.getId().getName())) {
        registry.remove(m);
      }
    }
    // After the registry: a count racing this registers its meter anew instead of keeping a removed one.
    for (Map<String, Counter> byQueue : queueCounters.values()) {
      byQueue.keySet().retainAll(existing);
    }
  }

  /** The value of counter {@code hourglass.<name>} with these tags, summed; 0 when it does not exist. */
  public long counted(String name, String... tags) {
    return (long) registry.find(PREFIX + name).tags(tags).counters().stream().mapToDouble(Counter::count).sum();
  }

  public long counted(JobCounter counter, String queue) {
    return (long) registry.find(METER_NAMES.get(counter)).tags("queue", queue).counters().stream()
        .mapToDouble(Counter::count).sum();
  }

  /** How many {@code rpc} calls were timed. */
  public long rpcCount(String rpc) {
    Timer t = registry.find(PREFIX + "rpc.latency").tags("rpc", rpc).timer();
    return t == null ? 0 : t.count();
  }

  // --- everything else ---

  public void maintenanceCycle(String task, String outcome) {
    Counter.builder(PREFIX + "maintenance.cycles").description("maintenance cycles per shard, by outcome")
        .tags("task", task, "outcome", outcome.toLowerCase(Locale.ROOT)).register(registry).increment();
  }

  public Counter configReloads(String file, boolean accepted) {
    return Counter.builder(PREFIX + "config.reloads." + (accepted ? "accepted" : "rejected"))
        .tag("file", file).register(registry);
  }

  public void adminAction(String action, String outcome, long jobs) {
    Counter.builder(PREFIX + "admin.actions").description("dashboard actions, by outcome")
        .tags("action", action, "outcome", outcome).register(registry).increment();
    if (jobs > 0) {
      Counter.builder(PREFIX + "admin.action.jobs").description("jobs changed by dashboard actions")
          .tags("action", action).register(registry).increment(jobs);
    }
  }

  public <T> void gauge(String name, String description, T source, ToDoubleFunction<T> value) {
    Gauge.builder(PREFIX + name, source, value).description(description).register(registry);
  }

  /**
   * Registers once per shard id (shard ids come from the shard config: bounded) a counter that
   * reads its value from {@code source} at scrape time.
   */
  public void shardCounters(int shardId, Supplier<long[]> errorsAndDowns) {
    if (shardsSeen.add(shardId)) {
      Tags t = Tags.of("shard", String.valueOf(shardId));
      FunctionCounter.builder(PREFIX + "shard.errors", errorsAndDowns, s -> s.get()[0])
          .description("failed statements and probes per shard").tags(t).register(registry);
      FunctionCounter.builder(PREFIX + "shard.downs", errorsAndDowns, s -> s.get()[1])
          .description("times the shard left rotation").tags(t).register(registry);
    }
  }

  /** Shard up/state gauges, set from the shards' status (called before each scrape). */
  public void shards(List<ShardStatus> status) {
    List<MultiGauge.Row<?>> up = new ArrayList<>();
    List<MultiGauge.Row<?>> state = new ArrayList<>();
    for (ShardStatus s : status) {
      String id = String.valueOf(s.id());
      up.add(MultiGauge.Row.of(Tags.of("shard", id), s.state() == ShardStatus.State.DOWN ? 0 : 1));
      for (ShardStatus.State st : ShardStatus.State.values()) {
        state.add(MultiGauge.Row.of(Tags.of("shard", id, "state", st.label()), s.state() == st ? 1 : 0));
      }
      shardCounters(s.id(), () -> {
        ShardStatus now = latestShards.get(s.id());
        return now == null ? new long[] {0, 0} : new long[] {now.errors(), now.downs()};
      });
      latestShards.put(s.id(), s);
    }
    shardUp.register(up, true);
    shardState.register(state, true);
  }

  /** Queue depth gauges from the background counts; rows replace the previous ones. */
  public void queueDepth(List<MultiGauge.Row<?>> jobs, List<MultiGauge.Row<?>> future,
      List<MultiGauge.Row<?>> oldestRunnable, List<MultiGauge.Row<?>> oldestClaim, List<MultiGauge.Row<?>> paused) {
    queueJobs.register(jobs, true);
    queueFuture.register(future, true);
    queueOldestRunnable.register(oldestRunnable, true);
    queueOldestClaim.register(oldestClaim, true);
    queuePaused.register(paused, true);
  }

  @Override
  public void close() {
    gc.close();
    registry.close();
  }
}
