package io.hourglass.client.cli;

import io.hourglass.client.HourglassClient;
import io.hourglass.client.worker.ExponentialBackoff;
import io.hourglass.client.worker.Job;
import io.hourglass.client.worker.Worker;
import io.hourglass.client.worker.WorkerConfig;
import io.hourglass.client.worker.WorkerStats;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** {@code concurrency} workers with no-op handlers that measure enqueue-to-handled latency. */
final class WorkLoad {
  /** Short idle backoff: at the start of a "both" run the queue is empty for a moment. */
  private static final ExponentialBackoff IDLE = new ExponentialBackoff(Duration.ofMillis(5), Duration.ofMillis(100), 0.25);

  final Latency latency = new Latency();
  final AtomicLong jobs = new AtomicLong();
  private final HourglassClient client;
  private final LoadPlan plan;
  private final List<Worker> workers = new ArrayList<>();

  WorkLoad(HourglassClient client, LoadPlan plan) {
    this.client = client;
    this.plan = plan;
  }

  void start() {
    WorkerConfig config = WorkerConfig.defaults(plan.queue(), plan.batchSize())
        .withIdleBackoff(IDLE)
        .withShutdownGrace(Duration.ofSeconds(10));
    for (int i = 0; i < plan.concurrency(); i++) {
      workers.add(Worker.start(client, config, this::handle));
    }
  }

  void stop() {
    workers.forEach(Worker::close);
  }

  private void handle(Job job) {
    LoadBody.enqueuedMicros(job.body())
        .ifPresent(t -> latency.recordMicros(LoadBody.micros(Instant.now()) - t));
    jobs.incrementAndGet();
  }

  /** The workers' counters added up. */
  WorkerTotals totals() {
    long dequeues = 0;
    long acks = 0;
    long piggybacked = 0;
    for (Worker w : workers) {
      WorkerStats.Snapshot s = w.stats();
      dequeues += s.dequeueRpcs();
      acks += s.ackRpcs();
      piggybacked += s.acksPiggybacked();
    }
    return new WorkerTotals(dequeues, acks, piggybacked);
  }

  record WorkerTotals(long dequeueRpcs, long ackRpcs, long acksPiggybacked) {}
}
