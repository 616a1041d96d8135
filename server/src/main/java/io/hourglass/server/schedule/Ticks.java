package io.hourglass.server.schedule;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import io.hourglass.server.queue.Limits;
import io.hourglass.server.queue.QueueException;
import io.hourglass.server.queue.ScheduleSpec;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;

/**
 * When a schedule ticks. Cron expressions are 5-field Unix cron (minute hour day-of-month
 * month day-of-week, e.g. {@code *}{@code /5 * * * *}), parsed and evaluated by cron-utils in the
 * schedule's time zone (an IANA name such as {@code Europe/Paris}; default UTC), so daylight
 * saving time moves ticks as a wall clock would. Intervals tick at creation + k × interval.
 */
public final class Ticks {
  /** Shortest interval: schedules are for periodic work, not for a busy loop. */
  public static final long MIN_INTERVAL_MILLIS = 1000;
  public static final int CRON_MAX_CHARS = 200;
  private static final CronParser PARSER = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));

  private Ticks() {}

  /**
   * Checks what {@link #next} needs; errors name the request field ({@code cronExpression},
   * {@code timeZone}, {@code intervalMillis}, {@code numAttemptsAllowed}, {@code body}).
   */
  public static void validate(ScheduleSpec spec) {
    boolean cron = spec.cron() != null;
    boolean interval = spec.intervalMillis() != null;
    if (cron == interval) {
      throw QueueException.badArgument(cron ? "intervalMillis" : "cronExpression",
          "give exactly one of cronExpression and intervalMillis");
    }
    if (cron) {
      parse(spec.cron());
      zone(spec.zone());
    } else {
      if (spec.intervalMillis() < MIN_INTERVAL_MILLIS) {
        throw QueueException.badArgument("intervalMillis",
            "must be at least " + MIN_INTERVAL_MILLIS + " (1 s), got " + spec.intervalMillis());
      }
      if (spec.zone() != null) {
        throw QueueException.badArgument("timeZone", "only applies to cronExpression schedules");
      }
    }
    if (spec.attemptsAllowed() < 1) {
      throw QueueException.badArgument("numAttemptsAllowed", "must be at least 1, got " + spec.attemptsAllowed());
    }
    if (spec.body() == null) {
      throw QueueException.badArgument("body", "is required");
    }
    if (spec.body().length > Limits.BODY_MAX_BYTES) {
      throw QueueException.badArgument("body", spec.body().length + " bytes is more than the "
          + Limits.BODY_MAX_BYTES + " allowed");
    }
  }

  /** The first tick strictly after {@code afterMillis}; {@code createdAtMillis} anchors intervals. */
  public static long next(ScheduleSpec spec, long createdAtMillis, long afterMillis) {
    if (spec.intervalMillis() != null) {
      long interval = spec.intervalMillis();
      long k = afterMillis < createdAtMillis ? 0 : (afterMillis - createdAtMillis) / interval;
      return createdAtMillis + (k + 1) * interval;
    }
    ZonedDateTime after = Instant.ofEpochMilli(afterMillis).atZone(zone(spec.zone()));
    return ExecutionTime.forCron(parse(spec.cron())).nextExecution(after)
        .orElseThrow(() -> QueueException.badArgument("cronExpression", "'" + spec.cron() + "' never fires again"))
        .toInstant().toEpochMilli();
  }

  private static Cron parse(String expression) {
    if (expression.length() > CRON_MAX_CHARS) {
      throw QueueException.badArgument("cronExpression", "is longer than " + CRON_MAX_CHARS + " characters");
    }
    try {
      return PARSER.parse(expression).validate();
    } catch (IllegalArgumentException e) {
      throw QueueException.badArgument("cronExpression", "'" + expression + "' is not a 5-field Unix cron "
          + "expression (minute hour day-of-month month day-of-week): " + e.getMessage());
    }
  }

  private static ZoneId zone(String zone) {
    if (zone == null || zone.isEmpty()) {
      return ZoneId.of("UTC");
    }
    try {
      return ZoneId.of(zone);
    } catch (DateTimeException e) {
      throw QueueException.badArgument("timeZone", "'" + zone + "' is not a time zone (use an IANA name such as "
          + "Europe/Paris, or UTC)");
    }
  }
}
