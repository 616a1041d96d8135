package io.hourglass.client.cli;

import io.hourglass.client.HourglassClient;
import io.hourglass.thrift.PinLaterDeleteJobsRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "delete", description = "Delete jobs of one state and priority; prints how many were deleted.")
final class DeleteCommand extends ClientCommand {
  @Mixin
  JobFilterOptions filter;

  @Option(names = "--limit", defaultValue = "1000", description = "Most jobs to delete (default: ${DEFAULT-VALUE}).")
  int limit;

  @Override
  int run(HourglassClient client) {
    PinLaterDeleteJobsRequest request = new PinLaterDeleteJobsRequest(filter.queue, filter.state)
        .setPriority((byte) (filter.priority == null ? 1 : filter.priority))
        .setLimit(limit);
    if (filter.bodyRegex != null) {
      request.setBodyRegexToMatch(filter.bodyRegex);
    }
    out().println(client.deleteJobs(request));
    return 0;
  }
}
