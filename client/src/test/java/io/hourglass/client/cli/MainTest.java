package io.hourglass.client.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** Parsing and usage only; commands against a live server are tested in the server module. */
class MainTest {
  private record Run(int status, String out, String err) {}

  private static Run hourglass(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int status = Main.run(new PrintWriter(out), new PrintWriter(err), args);
    return new Run(status, out.toString(), err.toString());
  }

  @Test
  void helpListsEveryCommand() {
    Run r = hourglass("--help");
    assertEquals(0, r.status());
    for (String command : new String[] {"create-queue", "delete-queue", "queues", "enqueue", "lookup", "count",
        "scan", "retry-failed", "delete", "load"}) {
      assertTrue(r.out().contains("  " + command + " "), command + " missing from:\n" + r.out());
    }
  }

  @Test
  void everySubcommandHasHelp() {
    Run r = hourglass("scan", "--help");
    assertEquals(0, r.status());
    assertTrue(r.out().contains("--continuation"), r.out());
  }

  @Test
  void missingCommandIsAUsageError() {
    Run r = hourglass();
    assertEquals(2, r.status());
    assertTrue(r.err().contains("a command is required"), r.err());
  }

  @Test
  void malformedServerListIsAUsageErrorNamingTheServer() {
    Run r = hourglass("--servers", "localhost", "queues");
    assertEquals(2, r.status());
    assertTrue(r.err().contains("'localhost' is not host:port"), r.err());
  }

  @Test
  void unknownJobStateIsAUsageError() {
    Run r = hourglass("count", "q", "--state", "DONE");
    assertEquals(2, r.status());
    assertTrue(r.err().contains("--state"), r.err());
  }
}
