package io.hourglass.client.cli;

import io.hourglass.client.HourglassClient;
import io.hourglass.client.HourglassException;
import io.hourglass.thrift.PinLaterEnqueueRequest;
import io.hourglass.thrift.PinLaterJob;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** {@code concurrency} threads, each enqueueing batches back to back until stopped. */
final class EnqueueLoad {
  final Latency latency = new Latency();
  final AtomicLong jobs = new AtomicLong();
  final AtomicLong rpcs = new AtomicLong();
  final AtomicLong errors = new AtomicLong();
  private final HourglassClient client;
  private final LoadPlan plan;
  private final List<Thread> threads = new ArrayList<>();
  private volatile boolean stopped;
  private volatile String lastError;

  EnqueueLoad(HourglassClient client, LoadPlan plan) {
    this.client = client;
    this.plan = plan;
  }

  void start() {
    for (int i = 0; i < plan.concurrency(); i++) {
      Thread t = new Thread(this::loop, "load-enqueue-" + i);
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }
  }

  void stop() throws InterruptedException {
    stopped = true;
    for (Thread t : threads) {
      t.join();
    }
  }

  String lastError() {
    return lastError;
  }

  private void loop() {
    String keyPrefix = "load-" + ProcessHandle.current().pid() + "-" + Thread.currentThread().getName() + "-";
    long seq = 0;
    while (!stopped) {
      List<PinLaterJob> batch = new ArrayList<>(plan.batchSize());
      Instant now = Instant.now();
      for (int i = 0; i < plan.batchSize(); i++) {
        PinLaterJob job = new PinLaterJob().setBody(LoadBody.make(plan.bodySize(), now));
        batch.add(plan.uniqueKeys() ? job.setUniqueKey(keyPrefix + now.toEpochMilli() + "-" + seq++) : job);
      }
      long start = System.nanoTime();
      rpcs.incrementAndGet();
      try {
        client.enqueueJobs(new PinLaterEnqueueRequest(plan.queue(), batch));
        latency.recordMicros((System.nanoTime() - start) / 1000);
        jobs.addAndGet(batch.size());
      } catch (HourglassException e) {
        errors.incrementAndGet();
        lastError = e.getMessage();
      }
    }
  }
}
