package io.hourglass.client.cli;

import java.io.PrintWriter;
import org.HdrHistogram.Histogram;

/** Prints one line per second while the load runs, and the summary at the end. */
final class LoadReporter {
  private final PrintWriter out;
  private final LoadPlan plan;
  private final EnqueueLoad enqueue;
  private final WorkLoad work;
  private final long startNanos = System.nanoTime();
  private long lastNanos = startNanos;
  private long lastEnqueued;
  private long lastHandled;

  /** {@code enqueue} or {@code work} is null when the plan's mode leaves it out. */
  LoadReporter(PrintWriter out, LoadPlan plan, EnqueueLoad enqueue, WorkLoad work) {
    this.out = out;
    this.plan = plan;
    this.enqueue = enqueue;
    this.work = work;
  }

  synchronized void tick() {
    long now = System.nanoTime();
    double seconds = (now - lastNanos) / 1e9;
    StringBuilder line = new StringBuilder(String.format("%4.0fs", (now - startNanos) / 1e9));
    if (enqueue != null) {
      long total = enqueue.jobs.get();
      line.append(part("enqueued", (total - lastEnqueued) / seconds, enqueue.latency.interval()));
      lastEnqueued = total;
    }
    if (work != null) {
      long total = work.jobs.get();
      line.append(enqueue != null ? " |" : "").append(part("handled", (total - lastHandled) / seconds, work.latency.interval()));
      lastHandled = total;
    }
    lastNanos = now;
    out.println(line);
    out.flush();
  }

  private static String part(String what, double perSecond, Histogram latency) {
    return String.format("  %s %8.0f jobs/s  p50 %6s ms  p99 %6s ms", what, perSecond,
        Latency.millis(latency, 50), Latency.millis(latency, 99));
  }

  synchronized void summary() {
    double seconds = (System.nanoTime() - startNanos) / 1e9;
    out.printf("summary: %.1f s, mode %s, concurrency %d, batch size %d, body %d bytes, queue %s%n",
        seconds, plan.mode().name().toLowerCase(), plan.concurrency(), plan.batchSize(), plan.bodySize(), plan.queue());
    if (enqueue != null) {
      Histogram h = enqueue.latency.total();
      out.printf("  enqueue: %d jobs, %.0f jobs/s, %d RPCs, %d errors; RPC latency p50 %s ms, p99 %s ms, max %s ms%n",
          enqueue.jobs.get(), enqueue.jobs.get() / seconds, enqueue.rpcs.get(), enqueue.errors.get(),
          Latency.millis(h, 50), Latency.millis(h, 99), Latency.millis(h, 100));
      if (enqueue.lastError() != null) {
        out.println("  last enqueue error: " + enqueue.lastError());
      }
    }
    if (work != null) {
      Histogram h = work.latency.total();
      WorkLoad.WorkerTotals t = work.totals();
      out.printf("  work:    %d jobs, %.0f jobs/s; enqueue-to-handled p50 %s ms, p99 %s ms, max %s ms; "
              + "%d dequeue RPCs, %d ack RPCs, %d acks piggy-backed%n",
          work.jobs.get(), work.jobs.get() / seconds, Latency.millis(h, 50), Latency.millis(h, 99),
          Latency.millis(h, 100), t.dequeueRpcs(), t.ackRpcs(), t.acksPiggybacked());
    }
    out.flush();
  }
}
