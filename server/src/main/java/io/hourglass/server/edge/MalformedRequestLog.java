package io.hourglass.server.edge;

import java.time.Clock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports requests that are not valid Thrift: one line, no stack trace, at most one per
 * {@link #INTERVAL_MILLIS}; the line counts those left out since the last one. A flood of bad
 * frames (11,568 once wrote 343,443 lines) costs a line every few seconds.
 */
final class MalformedRequestLog {
  static final long INTERVAL_MILLIS = 10_000;
  private static final Logger LOG = LoggerFactory.getLogger(MalformedRequestLog.class);

  private final Clock clock;
  private final Consumer<String> sink;
  private long nextLineAt = Long.MIN_VALUE;
  private long suppressed;

  MalformedRequestLog(Clock clock, Consumer<String> sink) {
    this.clock = clock;
    this.sink = sink;
  }

  static MalformedRequestLog toServerLog(Clock clock) {
    return new MalformedRequestLog(clock, LOG::warn);
  }

  void report(String what) {
    String line;
    synchronized (this) {
      long now = clock.millis();
      if (now < nextLineAt) {
        suppressed++;
        return;
      }
      line = "malformed Thrift request: " + what
          + (suppressed > 0 ? " (and " + suppressed + " more since the last report)" : "");
      suppressed = 0;
      nextLineAt = now + INTERVAL_MILLIS;
    }
    sink.accept(line);
  }
}
