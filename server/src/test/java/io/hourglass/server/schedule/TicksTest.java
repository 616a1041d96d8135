package io.hourglass.server.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hourglass.server.queue.QueueException;
import io.hourglass.server.queue.QueueName;
import io.hourglass.server.queue.ScheduleSpec;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

class TicksTest {
  static final QueueName Q = QueueName.of("q");

  static ScheduleSpec cron(String expr, String zone) {
    return new ScheduleSpec(Q, expr, zone, null, "b".getBytes(), 1, 1);
  }

  static ScheduleSpec interval(Long millis) {
    return new ScheduleSpec(Q, null, null, millis, "b".getBytes(), 1, 1);
  }

  static long at(String iso) {
    return Instant.parse(iso).toEpochMilli();
  }

  @Test
  void intervalTicksAreAnchoredAtCreation() {
    long created = 1_000_000;
    assertEquals(created + 5000, Ticks.next(interval(5000L), created, created));
    assertEquals(created + 5000, Ticks.next(interval(5000L), created, created + 4999));
    assertEquals(created + 10_000, Ticks.next(interval(5000L), created, created + 5000));
    assertEquals(created + 60_000, Ticks.next(interval(5000L), created, created + 57_123), "after downtime: next on the grid");
  }

  @Test
  void cronTicksFollowTheScheduleTimeZone() {
    assertEquals(at("2026-12-01T10:05:00Z"), Ticks.next(cron("*/5 * * * *", null), 0, at("2026-12-01T10:03:10Z")));
    // 09:00 in Paris is 08:00 UTC in winter and 07:00 UTC in summer.
    assertEquals(at("2026-12-02T08:00:00Z"), Ticks.next(cron("0 9 * * *", "Europe/Paris"), 0, at("2026-12-01T10:00:00Z")));
    assertEquals(at("2026-07-02T07:00:00Z"), Ticks.next(cron("0 9 * * *", "Europe/Paris"), 0, at("2026-07-01T10:00:00Z")));
    long next = Ticks.next(cron("30 2 * * 1", "America/New_York"), 0, at("2026-12-01T00:00:00Z"));
    ZonedDateTime local = Instant.ofEpochMilli(next).atZone(ZoneId.of("America/New_York"));
    assertEquals(java.time.DayOfWeek.MONDAY, local.getDayOfWeek());
    assertEquals(2, local.getHour());
  }

  static String rejected(ScheduleSpec spec) {
    QueueException e = assertThrows(QueueException.class, () -> Ticks.validate(spec));
    assertEquals(QueueException.Kind.BAD_ARGUMENT, e.kind());
    return e.getMessage();
  }

  @Test
  void badSchedulesAreRefusedNamingTheField() {
    assertTrue(rejected(cron("every minute", null)).startsWith("cronExpression: 'every minute' is not a 5-field"));
    assertTrue(rejected(cron("* * * * * *", null)).startsWith("cronExpression:"), "6 fields (seconds) are not Unix cron");
    assertTrue(rejected(cron("61 * * * *", null)).startsWith("cronExpression:"));
    assertTrue(rejected(cron("* * * * *", "Mars/Olympus")).startsWith("timeZone: 'Mars/Olympus' is not a time zone"));
    assertTrue(rejected(interval(999L)).startsWith("intervalMillis: must be at least 1000"));
    assertTrue(rejected(interval(null)).contains("exactly one of cronExpression and intervalMillis"));
    assertTrue(rejected(new ScheduleSpec(Q, "* * * * *", null, 5000L, "b".getBytes(), 1, 1))
        .contains("exactly one of"));
    assertTrue(rejected(new ScheduleSpec(Q, null, "UTC", 5000L, "b".getBytes(), 1, 1)).startsWith("timeZone:"));
    assertTrue(rejected(new ScheduleSpec(Q, null, null, 5000L, "b".getBytes(), 1, 0)).startsWith("numAttemptsAllowed:"));
    assertTrue(rejected(new ScheduleSpec(Q, null, null, 5000L, null, 1, 1)).startsWith("body: is required"));
    Ticks.validate(cron("0 9 * * 1-5", "Europe/Paris"));
    Ticks.validate(interval(1000L));
  }
}
