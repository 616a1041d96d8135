package io.hourglass.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hourglass.client.cli.Main;
import io.hourglass.testing.TestServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The CLI's Main, run in-process against a live server. */
class CliEndToEndTest {
  static TestServer server;

  @BeforeAll
  static void startServer() {
    server = TestServer.start(Clock.systemUTC(), Map.of());
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  /** Exit status and what one command line printed. */
  record Run(int status, String out, String err) {
    List<String> lines() {
      return out.isEmpty() ? List.of() : List.of(out.split("\n"));
    }
  }

  private static Run hourglass(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    List<String> all = new ArrayList<>(List.of("--servers", "127.0.0.1:" + server.port()));
    all.addAll(List.of(args));
    int status = Main.run(new PrintWriter(out), new PrintWriter(err), all.toArray(String[]::new));
    return new Run(status, out.toString(), err.toString());
  }

  @Test
  void createQueueEnqueueLookupAndQueuesWorkEndToEnd() {
    Run created = hourglass("create-queue", "cli_jobs");
    assertEquals(0, created.status(), created.err());
    assertEquals("created cli_jobs\n", created.out());

    Run enqueued = hourglass("enqueue", "cli_jobs", "first body", "second", "--priority", "2", "--attempts", "5");
    assertEquals(0, enqueued.status(), enqueued.err());
    List<String> descriptors = enqueued.lines();
    assertEquals(2, descriptors.size());
    assertTrue(descriptors.stream().allMatch(d -> d.matches("cli_jobs:s\\d+:p2:\\d+")), descriptors.toString());

    Run looked = hourglass("lookup", "--body", descriptors.get(0), descriptors.get(1));
    assertEquals(0, looked.status(), looked.err());
    assertEquals(2, looked.lines().size());
    assertTrue(looked.lines().get(0).startsWith(descriptors.get(0) + " state=PENDING attempts_remaining=5/5"), looked.out());
    assertTrue(looked.lines().get(0).contains("body=\"first body\""), looked.out());

    Run queues = hourglass("queues");
    assertEquals(0, queues.status(), queues.err());
    assertTrue(queues.lines().contains("cli_jobs"), queues.out());
  }

  @Test
  void schedulesAreCreatedListedAndDeletedAndLookupShowsAttempts() throws Exception {
    assertEquals(0, hourglass("create-queue", "cli_sched").status());
    Run created = hourglass("schedules", "create", "cli_sched", "--cron", "0 9 * * 1-5", "--time-zone", "Europe/Paris",
        "--body", "report", "--priority", "2");
    assertEquals(0, created.status(), created.err());
    assertTrue(created.out().startsWith("created schedule "), created.out());
    assertTrue(created.out().contains("queue=cli_sched cron=\"0 9 * * 1-5\" tz=Europe/Paris next="), created.out());
    long id = Long.parseLong(created.out().split(" ")[2]);
    Run every = hourglass("schedules", "create", "cli_sched", "--every", "5m", "--body", "ping");
    assertEquals(0, every.status(), every.err());

    Run listed = hourglass("schedules", "list", "--queue", "cli_sched");
    assertEquals(2, listed.lines().size(), listed.out());
    assertTrue(listed.lines().get(1).contains("every=300000ms"), listed.out());
    Run bad = hourglass("schedules", "create", "cli_sched", "--every", "10ms", "--body", "x");
    assertEquals(Main.EXIT_FAILED, bad.status());
    assertTrue(bad.err().contains("intervalMillis"), bad.err());

    assertEquals("deleted schedule " + id + "\n", hourglass("schedules", "delete", String.valueOf(id)).out());
    assertEquals(Main.EXIT_FAILED, hourglass("schedules", "delete", String.valueOf(id)).status());
    assertEquals(1, hourglass("schedules", "list", "--queue", "cli_sched").lines().size());

    String d = hourglass("enqueue", "cli_sched", "flaky").lines().get(0);
    io.hourglass.thrift.PinLater.Client c = server.client();
    c.dequeueJobs(io.hourglass.testing.TestServer.CONTEXT, new io.hourglass.thrift.PinLaterDequeueRequest("cli_sched", 10));
    c.ackDequeuedJobs(io.hourglass.testing.TestServer.CONTEXT, new io.hourglass.thrift.PinLaterJobAckRequest("cli_sched")
        .setJobsFailed(List.of(new io.hourglass.thrift.PinLaterJobAckInfo(d).setAppendCustomStatus("boom"))));
    Run looked = hourglass("lookup", d);
    assertEquals(2, looked.lines().size(), looked.out());
    assertTrue(looked.lines().get(1).matches("  attempt 1 at=\\S+ claimant=\\S+ status=\"boom\""), looked.out());
  }

  @Test
  void globalOptionsAlsoWorkAfterTheCommand() {
    StringWriter out = new StringWriter();
    int status = Main.run(new PrintWriter(out), new PrintWriter(new StringWriter()),
        "queues", "--servers", "127.0.0.1:" + server.port(), "--timeout", "5s");
    assertEquals(0, status);
  }

  @Test
  void lookupOfAnUnknownJobSaysSoAndExitsWith1() {
    hourglass("create-queue", "cli_missing");
    Run r = hourglass("lookup", "cli_missing:s1:p1:999999");
    assertEquals(1, r.status());
    assertEquals("cli_missing:s1:p1:999999 not found\n", r.out());
  }

  @Test
  void refusedRequestPrintsTheServersErrorAndExitsWith1() {
    Run r = hourglass("enqueue", "cli_no_such_queue", "x");
    assertEquals(1, r.status());
    assertTrue(r.err().contains("enqueueJobs: QUEUE_NOT_FOUND"), r.err());
  }

  @Test
  void badUsageExitsWith2() {
    assertEquals(2, hourglass("enqueue").status());
    assertEquals(2, hourglass("no-such-command").status());
    assertEquals(2, hourglass("load", "q", "--body-size", "4").status());
  }

  @Test
  void loadRunsForTwoSecondsAndPrintsRatesPercentilesAndASummary() {
    Run r = hourglass("load", "cli_load", "--mode", "both", "--duration", "2s", "--concurrency", "2", "--batch-size", "50");
    System.out.println("$ hourglass load cli_load --mode both --duration 2s --concurrency 2 --batch-size 50\n" + r.out());
    assertEquals(0, r.status(), r.err());
    List<String> perSecond = r.lines().stream().filter(l -> l.matches("\\s*\\d+s .*")).toList();
    assertTrue(perSecond.size() >= 1, r.out());
    assertTrue(perSecond.get(0).matches(".*enqueued +\\d+ jobs/s  p50 +[\\d.-]+ ms  p99 +[\\d.-]+ ms \\|  handled .*"), perSecond.get(0));
    assertTrue(r.out().contains("summary: "), r.out());
    assertTrue(count(r.out(), "enqueue: (\\d+) jobs") > 0, r.out());
    assertTrue(count(r.out(), "work: +(\\d+) jobs") > 0, r.out());
  }

  private static long count(String out, String regex) {
    Matcher m = Pattern.compile(regex).matcher(out);
    return m.find() ? Long.parseLong(m.group(1)) : -1;
  }
}
