package io.hourglass.client.worker;

import io.hourglass.client.HourglassClient;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Works one queue: dequeues jobs, runs a {@link JobHandler} on up to {@code concurrency} of them
 * at once, and acks each outcome. {@link #close()} shuts down gracefully.
 *
 * <pre>{@code
 * try (HourglassClient client = HourglassClient.connect(ClientConfig.of("host1:9010,host2:9010"));
 *      Worker worker = Worker.start(client, WorkerConfig.defaults("emails", 16), job -> send(job.body()))) {
 *   awaitShutdownSignal();
 * }
 * }</pre>
 *
 * <p>How is this designed, and why? One {@link Fetcher} thread dequeues exactly as many jobs as
 * there are free {@link Slots} and hands them to a fixed pool of {@code concurrency} threads,
 * where a {@link JobRunner} calls the handler. Outcomes go to the {@link AckBatcher} and ride on
 * the next dequeue; the {@link AckFlusher} sends them alone only when no dequeue comes soon
 * enough. A {@link Heartbeat} optionally checkpoints long jobs. Statements, not bytes, are what
 * a dequeue costs the server, so piggy-backing acks roughly halves the RPCs per job.
 */
public final class Worker implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Worker.class);
  private static final Duration INTERRUPT_GRACE = Duration.ofSeconds(1);

  private final WorkerParts parts;
  private final ExecutorService pool;
  private final AckFlusher flusher;
  private final Fetcher fetcher;
  private final Heartbeat heartbeat;
  private final AtomicBoolean closed = new AtomicBoolean();

  private Worker(WorkerParts parts, JobHandler handler) {
    this.parts = parts;
    this.pool = newPool(parts.config());
    this.flusher = new AckFlusher(parts);
    JobRunner runner = new JobRunner(handler, parts, flusher);
    this.fetcher = new Fetcher(parts, job -> pool.execute(() -> runner.run(job)));
    this.heartbeat = new Heartbeat(parts);
  }

  public static Worker start(HourglassClient client, WorkerConfig config, JobHandler handler) {
    return start(client, config, handler, Timing.system());
  }

  /** As {@link #start(HourglassClient, WorkerConfig, JobHandler)}, with the given sense of time. */
  public static Worker start(HourglassClient client, WorkerConfig config, JobHandler handler, Timing timing) {
    Worker worker = new Worker(WorkerParts.of(client, config, timing), handler);
    worker.flusher.start();
    worker.heartbeat.start();
    worker.fetcher.start();
    return worker;
  }

  public WorkerConfig config() {
    return parts.config();
  }

  public WorkerStats.Snapshot stats() {
    return parts.stats().snapshot();
  }

  /**
   * Stops fetching, lets running jobs finish within the shutdown grace period, then sends every
   * buffered ack. Jobs still running after the grace are interrupted and not acked: the server
   * hands them out again once their claim times out. Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    fetcher.stop();
    pool.shutdown();
    if (!awaitPool(parts.config().shutdownGrace())) {
      // Refuse acks first, so jobs that fail because of the interrupt do not burn an attempt.
      parts.acks().close();
      int running = parts.slots().running().size();
      pool.shutdownNow();
      // A moment for interrupted handlers to unwind; one that ignores interrupts is left behind.
      awaitPool(INTERRUPT_GRACE);
      LOG.warn("queue {}: {} jobs still running after the {} shutdown grace; left to the claim timeout",
          parts.queue(), running, parts.config().shutdownGrace());
    }
    heartbeat.stop();
    flusher.stop();
  }

  private boolean awaitPool(Duration grace) {
    try {
      return pool.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static ExecutorService newPool(WorkerConfig config) {
    AtomicInteger n = new AtomicInteger();
    return Executors.newFixedThreadPool(config.concurrency(), r -> {
      Thread t = new Thread(r, "hourglass-job-" + config.queue() + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }
}
