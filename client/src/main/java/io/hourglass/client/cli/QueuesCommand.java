package io.hourglass.client.cli;

import io.hourglass.client.HourglassClient;
import picocli.CommandLine.Command;

@Command(name = "queues", description = "List the queues (union over all shards), one per line.")
final class QueuesCommand extends ClientCommand {
  @Override
  int run(HourglassClient client) {
    client.getQueueNames().stream().sorted().forEach(out()::println);
    return 0;
  }
}
