package io.hourglass.client.cli;

import io.hourglass.client.HourglassClient;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** A subcommand that makes RPCs: opens a client from the global options, runs, closes it. */
abstract class ClientCommand implements Callable<Integer> {
  /** {@link Main}, or for a nested subcommand ({@code schedules list}) the command above it. */
  @ParentCommand
  Object parent;

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public final Integer call() throws Exception {
    try (HourglassClient client = main().connect()) {
      return run(client);
    }
  }

  /** The top command, holding the global options. */
  Main main() {
    return parent instanceof SchedulesCommand s ? s.main : (Main) parent;
  }

  /** Returns the exit status. */
  abstract int run(HourglassClient client) throws Exception;

  PrintWriter out() {
    return spec.commandLine().getOut();
  }

  PrintWriter err() {
    return spec.commandLine().getErr();
  }
}
