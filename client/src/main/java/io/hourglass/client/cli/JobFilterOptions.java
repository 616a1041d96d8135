package io.hourglass.client.cli;

import io.hourglass.thrift.PinLaterJobState;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The queue, state and filters shared by count, scan and delete. */
final class JobFilterOptions {
  @Parameters(index = "0", paramLabel = "QUEUE")
  String queue;

  @Option(names = "--state", required = true, description = "PENDING, IN_PROGRESS, SUCCEEDED or FAILED.")
  PinLaterJobState state;

  @Option(names = {"-p", "--priority"}, description = "Only this priority (default: all; delete: 1).")
  Integer priority;

  @Option(names = "--body-regex", paramLabel = "REGEX", description = "Only jobs whose body matches (MySQL regex).")
  String bodyRegex;
}
