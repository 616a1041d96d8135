package io.hourglass.client.cli;

import io.hourglass.client.HourglassClient;
import io.hourglass.thrift.PinLaterGetJobCountRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "count", description = "Count jobs of one state (runnable now, or with --future, later).")
final class CountCommand extends ClientCommand {
  @Mixin
  JobFilterOptions filter;

  @Option(names = "--future", description = "Count jobs whose run-after is still ahead instead.")
  boolean future;

  @Override
  int run(HourglassClient client) {
    PinLaterGetJobCountRequest request = new PinLaterGetJobCountRequest(filter.queue, filter.state)
        .setCountFutureJobs(future);
    if (filter.priority != null) {
      request.setPriority(filter.priority.byteValue());
    }
    if (filter.bodyRegex != null) {
      request.setBodyRegexToMatch(filter.bodyRegex);
    }
    out().println(client.getJobCount(request));
    return 0;
  }
}
