package io.hourglass.client.cli;

import io.hourglass.client.HourglassClient;
import io.hourglass.thrift.PinLaterEnqueueRequest;
import io.hourglass.thrift.PinLaterJob;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "enqueue", description = "Enqueue jobs (one per BODY, or one per line of stdin); prints their descriptors.")
final class EnqueueCommand extends ClientCommand {
  /** Jobs per RPC when reading stdin: one request's jobs go to one shard in one statement. */
  private static final int STDIN_BATCH = 1000;

  @Parameters(index = "0", paramLabel = "QUEUE")
  String queue;

  @Parameters(index = "1..*", paramLabel = "BODY", description = "Job bodies (UTF-8).")
  List<String> bodies = new ArrayList<>();

  @Option(names = "--stdin", description = "Read one body per line from standard input.")
  boolean stdin;

  @Option(names = {"-p", "--priority"}, defaultValue = "1", description = "1 (highest) .. server's levels (default: ${DEFAULT-VALUE}).")
  int priority;

  @Option(names = {"-a", "--attempts"}, defaultValue = "2", description = "Attempts allowed in all (default: ${DEFAULT-VALUE}).")
  int attempts;

  @Option(names = "--delay", defaultValue = "0s", converter = DurationConverter.class,
      description = "Not dequeued before now + delay (default: ${DEFAULT-VALUE}).")
  Duration delay;

  @Override
  int run(HourglassClient client) throws Exception {
    if (bodies.isEmpty() == !stdin) {
      throw new IllegalArgumentException("enqueue: give job bodies as arguments, or --stdin, not both");
    }
    if (!stdin) {
      send(client, bodies);
      return 0;
    }
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    List<String> batch = new ArrayList<>();
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      batch.add(line);
      if (batch.size() == STDIN_BATCH) {
        send(client, batch);
        batch.clear();
      }
    }
    if (!batch.isEmpty()) {
      send(client, batch);
    }
    return 0;
  }

  private void send(HourglassClient client, List<String> texts) {
    long runAfter = System.currentTimeMillis() + delay.toMillis();
    List<PinLaterJob> jobs = new ArrayList<>(texts.size());
    for (String text : texts) {
      PinLaterJob job = new PinLaterJob()
          .setBody(text.getBytes(StandardCharsets.UTF_8))
          .setPriority((byte) priority)
          .setNumAttemptsAllowed(attempts);
      if (!delay.isZero()) {
        job.setRunAfterTimestampMillis(runAfter);
      }
      jobs.add(job);
    }
    client.enqueueJobs(new PinLaterEnqueueRequest(queue, jobs)).forEach(out()::println);
  }
}
