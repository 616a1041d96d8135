package io.hourglass.client.cli;

import io.hourglass.client.HourglassClient;
import io.hourglass.thrift.PinLaterJobInfo;
import io.hourglass.thrift.PinLaterLookupJobRequest;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "lookup", description = "Show jobs by descriptor, one line each (then one line per failed attempt). "
    + "Exit 1 if any is not found.")
final class LookupCommand extends ClientCommand {
  @Parameters(paramLabel = "DESCRIPTOR", arity = "1..*")
  List<String> descriptors;

  @Option(names = "--body", description = "Include the body (shown as UTF-8).")
  boolean body;

  @Override
  int run(HourglassClient client) {
    Map<String, PinLaterJobInfo> found =
        client.lookupJobs(new PinLaterLookupJobRequest(descriptors).setIncludeBody(body));
    int status = 0;
    for (String d : descriptors) {
      PinLaterJobInfo info = found.get(d);
      if (info == null) {
        out().println(d + " not found");
        status = Main.EXIT_FAILED;
      } else {
        out().println(JobInfoFormat.line(info));
        JobInfoFormat.attempts(info).forEach(out()::println);
      }
    }
    return status;
  }
}
