package io.hourglass.client.cli;

import io.hourglass.client.HourglassClient;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "create-queue", description = "Create queues on every shard (idempotent).")
final class CreateQueueCommand extends ClientCommand {
  @Parameters(paramLabel = "QUEUE", arity = "1..*", description = "Queue names: [A-Za-z0-9_], 1-60 characters.")
  List<String> queues;

  @Override
  int run(HourglassClient client) {
    for (String queue : queues) {
      client.createQueue(queue);
      out().println("created " + queue);
    }
    return 0;
  }
}
