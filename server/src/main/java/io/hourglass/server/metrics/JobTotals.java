package io.hourglass.server.metrics;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Jobs counted per {@link JobCounter}, summed over queues, and rates over recent
 * windows from samples taken by {@link #sample} (every {@link #SAMPLE_EVERY}, by the dashboard).
 */
public final class JobTotals {
  public static final Duration SAMPLE_EVERY = Duration.ofSeconds(5);
  /** Samples kept: a little over five minutes' worth. */
  private static final int KEEP = (int) (Duration.ofMinutes(5).toMillis() / SAMPLE_EVERY.toMillis()) + 2;

  private record Sample(long atMillis, Map<JobCounter, Long> values) {}

  private final Map<JobCounter, LongAdder> totals = new EnumMap<>(JobCounter.class);
  private final Deque<Sample> samples = new ArrayDeque<>();

  JobTotals() {
    for (JobCounter c : JobCounter.values()) {
      totals.put(c, new LongAdder());
    }
  }

  void add(JobCounter counter, long n) {
    totals.get(counter).add(n);
  }

  public long total(JobCounter counter) {
    return totals.get(counter).sum();
  }

  public synchronized void sample(long nowMillis) {
    Map<JobCounter, Long> values = new EnumMap<>(JobCounter.class);
    totals.forEach((c, v) -> values.put(c, v.sum()));
    samples.addLast(new Sample(nowMillis, values));
    while (samples.size() > KEEP) {
      samples.removeFirst();
    }
  }

  /**
   * Per second over the last {@code window} (or over what has been sampled, when the server is
   * younger than that); 0 before two samples exist.
   */
  public synchronized double ratePerSecond(JobCounter counter, Duration window) {
    if (samples.size() < 2) {
      return 0;
    }
    Sample last = samples.peekLast();
    Sample from = samples.peekFirst();
    for (Sample s : samples) {
      if (last.atMillis() - s.atMillis() <= window.toMillis()) {
        from = s;
        break;
      }
    }
    long millis = last.atMillis() - from.atMillis();
    return millis <= 0 ? 0 : (last.values().get(counter) - from.values().get(counter)) * 1000.0 / millis;
  }
}
