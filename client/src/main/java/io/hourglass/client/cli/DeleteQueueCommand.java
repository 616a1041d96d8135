package io.hourglass.client.cli;

import io.hourglass.client.HourglassClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "delete-queue", description = "Delete a queue and all its jobs on every shard.")
final class DeleteQueueCommand extends ClientCommand {
  @Parameters(paramLabel = "QUEUE")
  String queue;

  @Option(names = "--password", defaultValue = "", description = "The server's delete password, if it has one.")
  String password;

  @Override
  int run(HourglassClient client) {
    client.deleteQueue(queue, password);
    out().println("deleted " + queue);
    return 0;
  }
}
