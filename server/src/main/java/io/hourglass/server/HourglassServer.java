package io.hourglass.server;

import com.twitter.finagle.ListeningServer;
import com.twitter.util.Await;
import com.twitter.util.Duration;
import io.hourglass.server.admin.AdminHttp;
import io.hourglass.server.admin.Dashboard;
import io.hourglass.server.admin.DashboardData;
import io.hourglass.server.admin.DashboardSources;
import io.hourglass.server.admin.QueuePauses;
import io.hourglass.server.admin.ShardsReport;
import io.hourglass.server.config.ConfigFileWatcher;
import io.hourglass.server.config.QueueConfig;
import io.hourglass.server.config.QueueConfigLoader;
import io.hourglass.server.config.ServerConfig;
import io.hourglass.server.config.ShardConfigLoader;
import io.hourglass.server.health.ShardProber;
import io.hourglass.server.maintenance.ClaimRescuer;
import io.hourglass.server.maintenance.FinishedJobPruner;
import io.hourglass.server.maintenance.JobExpirer;
import io.hourglass.server.schedule.ScheduleTicker;
import io.hourglass.server.schedule.Schedules;
import io.hourglass.server.maintenance.MaintenanceService;
import io.hourglass.server.maintenance.QueueCounter;
import io.hourglass.server.metrics.ConfigReloads;
import io.hourglass.server.metrics.ServerMetrics;
import io.hourglass.server.dequeue.LongPoll;
import io.hourglass.server.edge.DeleteGuard;
import io.hourglass.server.edge.ThriftEdge;
import io.hourglass.server.queue.Coordinator;
import io.hourglass.server.queue.EmptySlotCache;
import io.hourglass.server.queue.QueueAdmin;
import io.hourglass.server.queue.Shard;
import io.hourglass.server.ratelimit.DequeueRateLimiter;
import io.hourglass.server.ratelimit.LiveServers;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires config, shards, coordinator, the Thrift and admin endpoints and the background services
 * (config watchers, shard prober, heartbeat, maintenance); closes them in reverse order.
 */
public final class HourglassServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HourglassServer.class);

  private final ServerMetrics metrics = new ServerMetrics();
  /** Everything started so far, closed last-first (also when start-up fails half-way). */
  private final Deque<AutoCloseable> started = new ArrayDeque<>();
  private final ShardRegistry shards;
  private final AtomicReference<QueueConfig> queueConfig = new AtomicReference<>();
  private final ConfigFileWatcher shardWatcher;
  private final ConfigFileWatcher queueWatcher;
  private final ShardProber prober;
  private final LiveServers liveServers;
  private final ClaimRescuer rescuer;
  /** Set by startThrift: what the rescuer forgets and signals when jobs go back to PENDING. */
  private EmptySlotCache emptySlots;
  private final FinishedJobPruner pruner;
  private final QueueCounter counter;
  private final QueuePauses pauses;
  private final DashboardData dashboardData;
  private final ConfigReloads shardReloads;
  private final ConfigReloads queueReloads;
  private Coordinator coordinator;
  private LongPoll longPoll;
  private final JobExpirer expirer;
  private ScheduleTicker ticker;
  private ListeningServer thrift;
  private AdminHttp admin;

  private HourglassServer(ServerConfig config, Clock clock) throws Exception {
    try {
      opened(metrics);
      shardReloads = new ConfigReloads("shards", metrics, clock);
      queueReloads = new ConfigReloads("queues", metrics, clock);
      shards = opened(new ShardRegistry(config.pool(), clock, metrics.registry()));
      shardWatcher = opened(new ConfigFileWatcher("shard config", config.shardConfigPath(),
          config.configPollInterval(),
          content -> shards.apply(ShardConfigLoader.parse(config.shardConfigPath(), content), config.shardConfigPath()),
          shardReloads));
      shardWatcher.loadInitial();
      queueConfig.set(QueueConfig.defaultsOnly(config.maintenance()));
      queueWatcher = config.queueConfigPath() == null ? null : opened(new ConfigFileWatcher("queue config",
          config.queueConfigPath(), config.configPollInterval(),
          content -> queueConfig.set(QueueConfigLoader.parse(config.queueConfigPath(), content,
              queueConfig.get().defaults())),
          queueReloads));
      if (queueWatcher != null) {
        queueWatcher.loadInitial();
      }
      prober = opened(new ShardProber(shards, config.health().probeInterval(), config.health().probeTimeout()));
      prober.start();
      liveServers = opened(new LiveServers(shards, clock, config.heartbeatInterval(),
          ProcessHandle.current().pid() + "-" + UUID.randomUUID().toString().substring(0, 8)));
      liveServers.start();
      metrics.gauge("cluster.live.servers", "servers with a recent heartbeat", liveServers, LiveServers::getAsInt);
      pauses = opened(new QueuePauses(shards, clock, config.configPollInterval()));
      pauses.start();
      startThrift(config, clock);
      MaintenanceService.Context rescue = maintenanceContext(config, clock, config.maintenance().rescueInterval());
      rescuer = opened(new ClaimRescuer(rescue, emptySlots::forgetAll));
      pruner = opened(new FinishedJobPruner(maintenanceContext(config, clock, config.maintenance().gcInterval())));
      counter = opened(new QueueCounter(maintenanceContext(config, clock, config.admin().countsRefresh())));
      expirer = opened(new JobExpirer(maintenanceContext(config, clock, config.maintenance().expiryInterval())));
      rescuer.start();
      pruner.start();
      counter.start();
      expirer.start();
      dashboardData = opened(new DashboardData(shards, clock, config.admin().countsRefresh(), metrics, pauses,
          config.priorityLevels()));
      dashboardData.start();
      admin = opened(new AdminHttp(config.thriftHost(), config.adminPort(), adminRoutes(config, clock)));
      shardWatcher.start();
      if (queueWatcher != null) {
        queueWatcher.start();
      }
      LOG.info("hourglass serving Thrift on {}:{}, admin HTTP on port {}, {} shards",
          config.thriftHost(), thriftPort(), admin.port(), shards.get().size());
    } catch (Exception | Error e) {
      close();
      throw e;
    }
  }

  public static HourglassServer start(ServerConfig config, Clock clock) throws Exception {
    return new HourglassServer(config, clock);
  }

  private <T extends AutoCloseable> T opened(T resource) {
    started.push(resource);
    return resource;
  }

  private void startThrift(ServerConfig config, Clock clock) {
    ExecutorService workers = newWorkerPool(config.serverThreads());
    opened(() -> {
      workers.shutdown();
      workers.awaitTermination(10, TimeUnit.SECONDS);
    });
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "hourglass-timer");
      t.setDaemon(true);
      return t;
    });
    opened(timer::shutdownNow);
    longPoll = new LongPoll(clock, workers, timer, config.dequeueProbe().busy().toMillis(),
        config.dequeueProbe().idle().toMillis());
    metrics.gauge("dequeue.waiting", "long-poll dequeues waiting now", longPoll, LongPoll::waiting);
    emptySlots = new EmptySlotCache(clock, config.emptySlotCacheTtl().toMillis(), longPoll);
    coordinator = new Coordinator(shards, config.priorityLevels(), emptySlots,
        q -> queueConfig.get().forQueue(q.value()).claimTimeout());
    long probeEvery = config.dequeueProbe().idle().toMillis();
    // Slots the probe found empty stay marked until just after its next run (2 of its longest intervals).
    longPoll.probeWith((queue, demand) -> coordinator.probeForWork(queue, demand, 2 * probeEvery));
    Schedules schedules = new Schedules(shards, clock);
    ticker = opened(new ScheduleTicker(schedules, coordinator, clock, config.maintenance().scheduleInterval(),
        metrics));
    ticker.start();
    // Operator pauses (stored in the shards) act as a dequeue rate limit of 0.
    DequeueRateLimiter limiter = new DequeueRateLimiter(clock, () -> pauses.apply(queueConfig.get()), liveServers);
    thrift = ThriftEdge.serve(config, clock, workers, new ThriftEdge.Wiring(coordinator, new QueueAdmin(shards),
        longPoll, metrics, limiter, schedules, shardId -> shards.get().stream().anyMatch(s -> s.id() == shardId),
        q -> queueConfig.get().forQueue(q.value()).retry()));
    opened(() -> Await.ready(thrift.close(), Duration.fromSeconds(10)));
    // Closed first (last opened): waiting long polls answer empty instead of holding up close.
    opened(longPoll::releaseAll);
  }

  private Map<String, AdminHttp.Route> adminRoutes(ServerConfig config, Clock clock) {
    DeleteGuard adminGuard = new DeleteGuard(config.admin().passwordHash(), "admin.passwordHash");
    Dashboard dashboard = new Dashboard(new DashboardSources(clock, dashboardData, pauses, () -> shards.status(false),
        shards, liveServers, longPoll::waiting, java.util.List.of(shardReloads, queueReloads), metrics, queueConfig::get,
        java.util.List.of(rescuer, pruner, counter), config.priorityLevels(), new QueueAdmin(shards), coordinator),
        config.admin().actionsEnabled(), config.admin().passwordHash(), adminGuard::matches, config.admin().maxBatch());
    Map<String, AdminHttp.Route> routes = new java.util.HashMap<>(dashboard.routes());
    routes.put("/health", AdminHttp.Route.get(r -> health()));
    routes.put("/shards", AdminHttp.Route.get(r -> new AdminHttp.Response(200, "application/json",
        ShardsReport.render(shards.status(true), liveServers.getAsInt()))));
    routes.put("/metrics", AdminHttp.Route.get(r -> {
      metrics.shards(shards.status(false));
      return new AdminHttp.Response(200, ServerMetrics.contentType(), metrics.scrape());
    }));
    return routes;
  }

  private MaintenanceService.Context maintenanceContext(ServerConfig config, Clock clock, java.time.Duration every) {
    return new MaintenanceService.Context(shards, queueConfig::get, clock, every, config.maintenance().batchSize(),
        metrics);
  }

  private AdminHttp.Response health() {
    long up = shards.get().stream().filter(Shard::isUp).count();
    return up > 0
        ? AdminHttp.Response.text(200, "ok: " + up + " of " + shards.get().size() + " shards healthy\n")
        : AdminHttp.Response.text(503, "no healthy shard (of " + shards.get().size() + ")\n");
  }

  private static ExecutorService newWorkerPool(int threads) {
    AtomicInteger n = new AtomicInteger();
    return new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
        r -> {
          Thread t = new Thread(r, "hourglass-worker-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
  }

  public int thriftPort() {
    return ((InetSocketAddress) thrift.boundAddress()).getPort();
  }

  public int adminPort() {
    return admin.port();
  }

  public ServerMetrics metrics() {
    return metrics;
  }

  /** Claim-timeout rescue; {@code runOnce()} runs a cycle now. */
  public MaintenanceService rescuer() {
    return rescuer;
  }

  /** GC of finished jobs; {@code runOnce()} runs a cycle now. */
  public MaintenanceService pruner() {
    return pruner;
  }

  /** The background counts; {@code runOnce()} counts every shard now. */
  public MaintenanceService counter() {
    return counter;
  }

  public DashboardData dashboardData() {
    return dashboardData;
  }

  public QueuePauses pauses() {
    return pauses;
  }

  /** Fires schedule ticks; {@code runOnce()} runs a cycle now. */
  public ScheduleTicker ticker() {
    return ticker;
  }

  /** Expiry sweep; {@code runOnce()} runs a cycle now. */
  public MaintenanceService expirer() {
    return expirer;
  }

  public LiveServers liveServers() {
    return liveServers;
  }

  public ShardProber prober() {
    return prober;
  }

  @Override
  public void close() {
    while (!started.isEmpty()) {
      AutoCloseable c = started.pop();
      try {
        c.close();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (Exception e) {
        LOG.warn("closing {}: {}", c, e.toString());
      }
    }
  }
}
