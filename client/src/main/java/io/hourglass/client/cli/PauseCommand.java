package io.hourglass.client.cli;

import picocli.CommandLine.Command;

@Command(name = "pause", description = {"Pause a queue on every server (dequeues refused with DEQUEUE_RATE_LIMITED,",
    "acks still applied) until resumed; persistent. Needs the admin password (see --admin)."})
final class PauseCommand extends AdminHttpCommand {
  @Override
  String verb() {
    return "pause";
  }
}
