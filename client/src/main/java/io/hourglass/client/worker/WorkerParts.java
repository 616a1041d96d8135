package io.hourglass.client.worker;

import io.hourglass.client.HourglassClient;

/** What a worker's collaborators share: built once by {@link Worker}, handed to each. */
record WorkerParts(
    HourglassClient client, WorkerConfig config, Timing timing, WorkerStats stats, Slots slots, AckBatcher acks) {

  static WorkerParts of(HourglassClient client, WorkerConfig config, Timing timing) {
    return new WorkerParts(client, config, timing, new WorkerStats(), new Slots(config.concurrency()),
        new AckBatcher(config.ackBatchSize(), config.ackFlushInterval(), timing.clock()));
  }

  String queue() {
    return config.queue();
  }
}
