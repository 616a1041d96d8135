package io.hourglass.server;

import com.codahale.metrics.MetricRegistry;
import com.twitter.finagle.ListeningServer;
import com.twitter.finagle.Thrift;
import com.twitter.finagle.thrift.RichServerParam;
import com.twitter.util.Await;
import com.twitter.util.Duration;
import io.hourglass.server.config.ServerConfig;
import io.hourglass.server.config.ShardConfigLoader;
import io.hourglass.server.queue.Coordinator;
import io.hourglass.server.queue.EmptySlotCache;
import io.hourglass.server.queue.QueueAdmin;
import io.hourglass.thrift.PinLater;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.thrift.protocol.TBinaryProtocol;
import org.apache.thrift.protocol.TProtocolFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Wires config, shards, coordinator and the Thrift and admin endpoints; closes them in order. */
public final class HourglassServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HourglassServer.class);

  private final ShardRegistry shards;
  private final ExecutorService workers;
  private final ScheduledExecutorService timer;
  private final ListeningServer thrift;
  private final AdminHttp admin;
  private final MetricRegistry metrics = new MetricRegistry();

  private HourglassServer(ServerConfig config, Clock clock) throws Exception {
    shards = new ShardRegistry(config.pool(), clock);
    shards.apply(ShardConfigLoader.load(config.shardConfigPath()));
    workers = newWorkerPool(config.serverThreads());
    timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "hourglass-timer");
      t.setDaemon(true);
      return t;
    });
    DequeueWaiters waiters = new DequeueWaiters(clock, workers, timer, config.dequeuePollInterval().toMillis());
    Coordinator coordinator = new Coordinator(shards, config.priorityLevels(),
        new EmptySlotCache(clock, config.emptySlotCacheTtl().toMillis(), waiters));
    RequestReader reader = new RequestReader(clock, new RequestReader.Bounds(
        config.priorityLevels(), config.maxDequeueLimit(), config.maxDequeueWait().toMillis()));
    // Bounded strings and containers: crafted lengths cannot make the server allocate GBs.
    TProtocolFactory protocols = new TBinaryProtocol.Factory(
        false, true, config.maxThriftStringBytes(), config.maxThriftContainerItems());
    PinLaterService service = new PinLaterService(new PinLaterService.Parts(coordinator, new QueueAdmin(shards),
        reader, new DeleteGuard(config.deletePasswordHash()), waiters, metrics));
    thrift = Thrift.server()
        .withLabel("hourglass")
        // JDBC blocks: handlers run on this pool, never on Finagle's I/O threads.
        .withExecutionOffloaded(workers)
        .withProtocolFactory(protocols)
        .serve(new InetSocketAddress(config.thriftHost(), config.thriftPort()),
            new ProtocolErrorFilter(protocols).andThen(
                new PinLater.Service(service, new RichServerParam(protocols))));
    admin = new AdminHttp(config.thriftHost(), config.adminPort());
    LOG.info("hourglass serving Thrift on {}:{}, admin HTTP on port {}, {} shards",
        config.thriftHost(), thriftPort(), admin.port(), shards.get().size());
  }

  public static HourglassServer start(ServerConfig config, Clock clock) throws Exception {
    return new HourglassServer(config, clock);
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

  public MetricRegistry metrics() {
    return metrics;
  }

  @Override
  public void close() {
    try {
      Await.ready(thrift.close(), Duration.fromSeconds(10));
    } catch (Exception e) {
      LOG.warn("closing the Thrift server: {}", e.getMessage());
    }
    admin.close();
    timer.shutdownNow();
    workers.shutdown();
    try {
      workers.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    shards.close();
  }
}
