package io.hourglass.client.cli;

import picocli.CommandLine.Command;

@Command(name = "resume", description = "Resume a paused queue on every server. Needs the admin password (see --admin).")
final class ResumeCommand extends AdminHttpCommand {
  @Override
  String verb() {
    return "resume";
  }
}
