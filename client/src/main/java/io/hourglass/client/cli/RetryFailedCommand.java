package io.hourglass.client.cli;

import io.hourglass.client.HourglassClient;
import io.hourglass.thrift.PinLaterRetryFailedJobsRequest;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "retry-failed", description = "Move FAILED jobs of one priority back to PENDING; prints how many moved.")
final class RetryFailedCommand extends ClientCommand {
  @Parameters(paramLabel = "QUEUE")
  String queue;

  @Option(names = {"-p", "--priority"}, defaultValue = "1", description = "Priority (default: ${DEFAULT-VALUE}).")
  int priority;

  @Option(names = {"-a", "--attempts"}, defaultValue = "1", description = "Attempts to allow each (default: ${DEFAULT-VALUE}).")
  int attempts;

  @Option(names = "--limit", defaultValue = "1000", description = "Most jobs to move (default: ${DEFAULT-VALUE}).")
  int limit;

  @Option(names = "--delay", converter = DurationConverter.class, description = "Run them no sooner than now + delay.")
  Duration delay;

  @Override
  int run(HourglassClient client) {
    PinLaterRetryFailedJobsRequest request = new PinLaterRetryFailedJobsRequest(queue)
        .setPriority((byte) priority)
        .setAttemptsToAllow(attempts)
        .setLimit(limit);
    if (delay != null) {
      request.setRunAfterTimestampMillis(System.currentTimeMillis() + delay.toMillis());
    }
    out().println(client.retryFailedJobs(request));
    return 0;
  }
}
