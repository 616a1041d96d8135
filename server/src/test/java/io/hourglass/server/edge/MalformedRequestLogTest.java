package io.hourglass.server.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hourglass.testing.MutableClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** D8: a flood of malformed frames costs one log line per interval, counting the rest. */
class MalformedRequestLogTest {
  @Test
  void aFloodWithinOneIntervalWritesOneLineAndTheNextLineCountsTheRest() {
    MutableClock clock = MutableClock.startingNow();
    List<String> lines = new ArrayList<>();
    MalformedRequestLog log = new MalformedRequestLog(clock, lines::add);
    for (int i = 0; i < 11_568; i++) {
      log.report("frame " + i);
    }
    assertEquals(List.of("malformed Thrift request: frame 0"), lines);
    clock.advance(Duration.ofMillis(MalformedRequestLog.INTERVAL_MILLIS));
    log.report("late");
    assertEquals(2, lines.size());
    assertTrue(lines.get(1).contains("late") && lines.get(1).contains("11567 more"), lines.get(1));
  }
}
