package io.hourglass.client.cli;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Latencies in microseconds, recorded from many threads: {@link #interval()} takes what was
 * recorded since the last call (for the per-second line) and adds it to the {@link #total()}.
 */
final class Latency {
  private final Recorder recorder = new Recorder(3);
  private final Histogram total = new Histogram(3);
  private Histogram recycled;

  void recordMicros(long micros) {
    recorder.recordValue(Math.max(0, micros));
  }

  synchronized Histogram interval() {
    Histogram h = recorder.getIntervalHistogram(recycled);
    total.add(h);
    recycled = h;
    return h;
  }

  /** Everything recorded so far, including what no {@link #interval()} has taken yet. */
  synchronized Histogram total() {
    interval();
    return total;
  }

  static String millis(Histogram h, double percentile) {
    return h.getTotalCount() == 0 ? "-" : String.format("%.1f", h.getValueAtPercentile(percentile) / 1000.0);
  }
}
