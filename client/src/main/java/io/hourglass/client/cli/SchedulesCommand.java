package io.hourglass.client.cli;

import io.hourglass.client.HourglassClient;
import io.hourglass.thrift.PinLaterCreateScheduleRequest;
import io.hourglass.thrift.PinLaterJob;
import io.hourglass.thrift.PinLaterSchedule;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** EXTENSION: {@code schedules list|create|delete}. */
@Command(name = "schedules", description = "List, create or delete schedules (the server enqueues one job per tick).",
    subcommands = {SchedulesCommand.List.class, SchedulesCommand.Create.class, SchedulesCommand.Delete.class})
final class SchedulesCommand implements Callable<Integer> {
  @ParentCommand
  Main main;

  @Override
  public Integer call() {
    throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
        "schedules: give list, create or delete");
  }

  /** One line per schedule. */
  static String line(PinLaterSchedule s) {
    String when = s.isSetCronExpression()
        ? "cron=\"" + s.getCronExpression() + "\" tz=" + s.getTimeZone()
        : "every=" + s.getIntervalMillis() + "ms";
    PinLaterJob t = s.getJobTemplate();
    ByteBuffer b = t.bufferForBody().duplicate();
    byte[] body = new byte[b.remaining()];
    b.get(body);
    return "schedule " + s.getScheduleId() + " queue=" + s.getQueueName() + " " + when
        + " next=" + Instant.ofEpochMilli(s.getNextFireTimestampMillis())
        + " priority=" + t.getPriority() + " attempts=" + t.getNumAttemptsAllowed()
        + " body=\"" + new String(body, StandardCharsets.UTF_8) + "\"";
  }

  /** A subcommand of {@code schedules} (its parent command is {@link SchedulesCommand}). */
  abstract static class Sub extends ClientCommand {}

  @Command(name = "list", description = "List schedules, by id.")
  static final class List extends Sub {
    @Option(names = "--queue", description = "Only this queue's schedules.")
    String queue;

    @Override
    int run(HourglassClient client) {
      client.listSchedules(queue).forEach(s -> out().println(line(s)));
      return 0;
    }
  }

  @Command(name = "create", description = "Create a schedule on QUEUE: --cron (with --time-zone) or --every.")
  static final class Create extends Sub {
    @Parameters(index = "0", paramLabel = "QUEUE")
    String queue;

    static final class When {
      @Option(names = "--cron", required = true, description = "5-field Unix cron, e.g. '0 9 * * 1-5'.")
      String cron;

      @Option(names = "--every", required = true, converter = DurationConverter.class,
          description = "Fixed interval, at least 1s, e.g. 5m.")
      java.time.Duration every;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    When when;

    @Option(names = "--time-zone", description = "IANA time zone of --cron (default: UTC).")
    String zone;

    @Option(names = "--body", required = true, description = "Body (UTF-8) of every job it enqueues.")
    String body;

    @Option(names = {"-p", "--priority"}, defaultValue = "1", description = "Priority of its jobs (default: ${DEFAULT-VALUE}).")
    int priority;

    @Option(names = {"-a", "--attempts"}, defaultValue = "2", description = "Attempts per job (default: ${DEFAULT-VALUE}).")
    int attempts;

    @Override
    int run(HourglassClient client) {
      PinLaterCreateScheduleRequest r = new PinLaterCreateScheduleRequest(queue, new PinLaterJob()
          .setBody(body.getBytes(StandardCharsets.UTF_8)).setPriority((byte) priority).setNumAttemptsAllowed(attempts));
      if (when.cron != null) {
        r.setCronExpression(when.cron);
      } else {
        r.setIntervalMillis(when.every.toMillis());
      }
      if (zone != null) {
        r.setTimeZone(zone);
      }
      out().println("created " + line(client.createSchedule(r)));
      return 0;
    }
  }

  @Command(name = "delete", description = "Delete a schedule (jobs it already enqueued stay). Exit 1 if there is none.")
  static final class Delete extends Sub {
    @Parameters(index = "0", paramLabel = "ID")
    long id;

    @Override
    int run(HourglassClient client) {
      if (client.deleteSchedule(id)) {
        out().println("deleted schedule " + id);
        return 0;
      }
      err().println("no schedule " + id);
      return Main.EXIT_FAILED;
    }
  }
}
