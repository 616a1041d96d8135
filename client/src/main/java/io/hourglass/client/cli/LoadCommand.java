package io.hourglass.client.cli;

import io.hourglass.client.HourglassClient;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "load", description = "Drive enqueue and/or worker load at a queue; print jobs/s and p50/p99 "
    + "latency every second and a summary at the end. Enqueue latency is per RPC; worker latency is enqueue to handled.")
final class LoadCommand extends ClientCommand {
  @Parameters(paramLabel = "QUEUE", defaultValue = "hourglass_load", description = "Queue to load (default: ${DEFAULT-VALUE}).")
  String queue;

  @Option(names = "--mode", defaultValue = "both", description = "enqueue, work or both (default: ${DEFAULT-VALUE}).")
  LoadPlan.Mode mode;

  @Option(names = {"-c", "--concurrency"}, defaultValue = "4",
      description = "Enqueue threads, and workers (default: ${DEFAULT-VALUE}).")
  int concurrency;

  @Option(names = {"-b", "--batch-size"}, defaultValue = "100",
      description = "Jobs per enqueue RPC, and slots per worker (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(names = "--body-size", defaultValue = "64", description = "Bytes per job body (default: ${DEFAULT-VALUE}).")
  int bodySize;

  @Option(names = "--unique-keys", description = "Give every enqueued job a fresh unique key (measures their cost).")
  boolean uniqueKeys;

  @Option(names = {"-d", "--duration"}, defaultValue = "10s", converter = DurationConverter.class,
      description = "How long to run, e.g. 30s, 5m (default: ${DEFAULT-VALUE}).")
  Duration duration;

  @Override
  int run(HourglassClient client) throws Exception {
    LoadPlan plan = new LoadPlan(queue, mode, concurrency, batchSize, bodySize, duration, uniqueKeys);
    client.createQueue(plan.queue());
    EnqueueLoad enqueue = plan.enqueues() ? new EnqueueLoad(client, plan) : null;
    WorkLoad work = plan.works() ? new WorkLoad(client, plan) : null;
    LoadReporter reporter = new LoadReporter(out(), plan, enqueue, work);
    ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "load-report");
      t.setDaemon(true);
      return t;
    });
    if (work != null) {
      work.start();
    }
    if (enqueue != null) {
      enqueue.start();
    }
    ticker.scheduleAtFixedRate(reporter::tick, 1, 1, TimeUnit.SECONDS);
    Thread.sleep(plan.duration().toMillis());
    ticker.shutdownNow();
    ticker.awaitTermination(5, TimeUnit.SECONDS);
    if (enqueue != null) {
      enqueue.stop();
    }
    if (work != null) {
      work.stop();
    }
    reporter.summary();
    return 0;
  }
}
