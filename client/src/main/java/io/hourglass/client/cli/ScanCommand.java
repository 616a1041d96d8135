package io.hourglass.client.cli;

import io.hourglass.client.HourglassClient;
import io.hourglass.thrift.hourglassConstants;
import io.hourglass.thrift.PinLaterJobInfo;
import io.hourglass.thrift.PinLaterScanJobsRequest;
import io.hourglass.thrift.PinLaterScanJobsResponse;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "scan", description = {
    "List jobs of one state, most recent run-after first, one line each.",
    "Without --all, prints '# continuation: TOKEN' when there is more; pass it back with --continuation."})
final class ScanCommand extends ClientCommand {
  @Mixin
  JobFilterOptions filter;

  @Option(names = "--future", description = "Scan jobs whose run-after is still ahead instead.")
  boolean future;

  @Option(names = "--limit", defaultValue = "100", description = "Jobs per page (default: ${DEFAULT-VALUE}).")
  int limit;

  @Option(names = "--continuation", defaultValue = hourglassConstants.CONTINUATION_START, description = "Where to resume.")
  String continuation;

  @Option(names = "--all", description = "Follow continuations to the end.")
  boolean all;

  @Override
  int run(HourglassClient client) {
    String next = continuation;
    do {
      PinLaterScanJobsResponse page = client.scanJobs(request(next));
      for (PinLaterJobInfo info : page.getScannedJobs()) {
        out().println(JobInfoFormat.line(info));
      }
      next = page.isSetContinuation() ? page.getContinuation() : hourglassConstants.CONTINUATION_END;
    } while (all && !next.equals(hourglassConstants.CONTINUATION_END));
    if (!next.equals(hourglassConstants.CONTINUATION_END)) {
      out().println("# continuation: " + next);
    }
    return 0;
  }

  private PinLaterScanJobsRequest request(String from) {
    PinLaterScanJobsRequest request = new PinLaterScanJobsRequest(filter.queue, filter.state)
        .setScanFutureJobs(future)
        .setLimit(limit)
        .setContinuation(from);
    if (filter.priority != null) {
      request.setPriority(filter.priority.byteValue());
    }
    if (filter.bodyRegex != null) {
      request.setBodyRegexToMatch(filter.bodyRegex);
    }
    return request;
  }
}
