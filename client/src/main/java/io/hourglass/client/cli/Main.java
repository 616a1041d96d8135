package io.hourglass.client.cli;

import io.hourglass.client.ClientConfig;
import io.hourglass.client.HourglassClient;
import io.hourglass.client.HourglassException;
import java.io.PrintWriter;
import java.time.Duration;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * {@code hourglass [--servers host:port,...] <command> ...}: ops commands against Hourglass, and
 * a load generator. Exit status: 0 ok, 1 the server refused or failed (message on stderr), 2 bad
 * usage.
 */
@Command(
    name = "hourglass",
    scope = ScopeType.INHERIT, // --help on every subcommand too
    mixinStandardHelpOptions = true,
    version = "hourglass client 0.1.0",
    description = "Ops commands and a load generator for an Hourglass (PinLater API) job queue.",
    subcommands = {
        CreateQueueCommand.class, DeleteQueueCommand.class, QueuesCommand.class, EnqueueCommand.class,
        LookupCommand.class, CountCommand.class, ScanCommand.class, RetryFailedCommand.class,
        DeleteCommand.class, LoadCommand.class, PauseCommand.class, ResumeCommand.class, SchedulesCommand.class})
public final class Main implements Runnable {
  public static final int EXIT_FAILED = 1;

  @Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = {"-s", "--servers"}, scope = ScopeType.INHERIT, paramLabel = "HOST:PORT[,...]",
      defaultValue = "${env:HOURGLASS_SERVERS:-127.0.0.1:9010}",
      description = "Servers to load-balance over (default: $HOURGLASS_SERVERS, else ${DEFAULT-VALUE}).")
  String servers;

  @Option(names = "--source", scope = ScopeType.INHERIT,
      description = "RequestContext.source sent with every call (default: hourglass-client:<host>:<pid>).")
  String source;

  @Option(names = "--timeout", scope = ScopeType.INHERIT, defaultValue = "30s", converter = DurationConverter.class,
      description = "Request timeout, e.g. 500ms, 30s (default: ${DEFAULT-VALUE}).")
  Duration timeout;

  @Option(names = "--connect-timeout", scope = ScopeType.INHERIT, defaultValue = "2s",
      converter = DurationConverter.class, description = "Connect timeout (default: ${DEFAULT-VALUE}).")
  Duration connectTimeout;

  public static void main(String[] args) {
    quietFinagle();
    System.exit(run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
  }

  /** Finagle logs its start-up through java.util.logging at INFO: noise on a command line. */
  private static void quietFinagle() {
    java.util.logging.Logger root = java.util.logging.LogManager.getLogManager().getLogger("");
    root.setLevel(java.util.logging.Level.WARNING);
  }

  /** Runs one command line, printing to {@code out} and {@code err}; returns the exit status. */
  public static int run(PrintWriter out, PrintWriter err, String... args) {
    CommandLine cli = new CommandLine(new Main())
        .setCaseInsensitiveEnumValuesAllowed(true)
        .setOut(out)
        .setErr(err)
        .setExecutionExceptionHandler((e, commandLine, parsed) -> {
          if (e instanceof HourglassException || e instanceof IllegalArgumentException) {
            commandLine.getErr().println("hourglass: " + e.getMessage());
            return e instanceof HourglassException ? EXIT_FAILED : CommandLine.ExitCode.USAGE;
          }
          throw e;
        });
    int status = cli.execute(args);
    out.flush();
    err.flush();
    return status;
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
  }

  ClientConfig clientConfig() {
    ClientConfig config = ClientConfig.of(servers).withRequestTimeout(timeout).withConnectTimeout(connectTimeout);
    return source == null ? config : config.withSource(source);
  }

  HourglassClient connect() {
    return HourglassClient.connect(clientConfig());
  }
}
