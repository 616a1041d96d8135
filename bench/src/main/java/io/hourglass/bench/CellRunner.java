package io.hourglass.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Runs one cell: {@code clients} threads, each looping its {@link Loop}; a warm-up (JIT, pools,
 * buffer pool) that is not counted; then a fixed window between two {@link Meters.Snapshot}s, in
 * which jobs, empty answers and latencies are counted. One thread per client, never per job.
 */
final class CellRunner {
  /** What a loop reports to while it runs. */
  static final class Context {
    private final Recorder latencies = new Recorder(3);
    private final AtomicLong empty = new AtomicLong();
    private final AtomicLong retries = new AtomicLong();

    /** Records one RPC's (or one raw statement group's) latency. */
    void record(long nanos) {
      latencies.recordValue(Math.max(1, nanos / 1000));
    }

    /** Counts an answer that found no work (a dequeue that returned nothing: the queue ran dry). */
    void countEmpty() {
      empty.incrementAndGet();
    }

    /** Counts a transaction run again after a deadlock. */
    void countRetry() {
      retries.incrementAndGet();
    }
  }

  /** The measured window. {@code latencyMicros} holds every latency recorded in it. */
  record Window(long jobs, long empties, long retries, Histogram latencyMicros, Meters.Delta cost) {}

  private CellRunner() {}

  static Window run(Loop.Factory factory, int clients, double warmupSeconds, double seconds, Meters meters)
      throws Exception {
    Context context = new Context();
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong jobs = new AtomicLong();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    CountDownLatch done = new CountDownLatch(clients);
    List<Loop> loops = new ArrayList<>();
    for (int i = 0; i < clients; i++) {
      loops.add(factory.create(i));
    }
    for (int i = 0; i < clients; i++) {
      Loop loop = loops.get(i);
      Thread t = new Thread(() -> {
        try (loop) {
          while (!stop.get() && failure.get() == null) {
            jobs.addAndGet(loop.runOnce(context));
          }
        } catch (Throwable e) {
          failure.compareAndSet(null, e);
        } finally {
          done.countDown();
        }
      }, "bench-client-" + i);
      t.setDaemon(true);
      t.start();
    }
    try {
      sleep(warmupSeconds, failure);
      long jobs0 = jobs.get();
      long empty0 = context.empty.get();
      long retries0 = context.retries.get();
      context.latencies.getIntervalHistogram(); // drops the warm-up's latencies
      Meters.Snapshot begin = meters.snapshot();
      sleep(seconds, failure);
      Meters.Snapshot end = meters.snapshot();
      Histogram window = context.latencies.getIntervalHistogram();
      long moved = jobs.get() - jobs0;
      return new Window(moved, context.empty.get() - empty0, context.retries.get() - retries0, window,
          Meters.between(begin, end));
    } finally {
      stop.set(true);
      if (!done.await(60, TimeUnit.SECONDS)) {
        System.err.println("bench: some client threads did not stop within 60 s");
      }
      if (failure.get() != null) {
        throw new IllegalStateException("bench: a client failed: " + failure.get(), failure.get());
      }
    }
  }

  private static void sleep(double seconds, AtomicReference<Throwable> failure) throws InterruptedException {
    long until = System.nanoTime() + (long) (seconds * 1e9);
    while (System.nanoTime() < until && failure.get() == null) {
      Thread.sleep(Math.min(100, Math.max(1, (until - System.nanoTime()) / 1_000_000)));
    }
  }
}
