package io.hourglass.server;

import static io.hourglass.server.Jobs.ackFailed;
import static io.hourglass.server.Jobs.dequeue;
import static io.hourglass.server.Jobs.enqueue;
import static io.hourglass.server.Jobs.job;
import static io.hourglass.server.Jobs.lookup;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hourglass.server.edge.DeleteGuard;
import io.hourglass.testing.ExternalCommand;
import io.hourglass.testing.MutableClock;
import io.hourglass.testing.Repo;
import io.hourglass.testing.TestQueues;
import io.hourglass.testing.TestServer;
import io.hourglass.thrift.PinLater;
import io.hourglass.thrift.PinLaterJob;
import io.hourglass.thrift.PinLaterJobInfo;
import io.hourglass.thrift.PinLaterJobState;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/** scripts/hourglass-admin, each subcommand run as a process against a live server. */
class AdminScriptsTest {
  static final String PASSWORD = "admin-scripts-test-pw";
  static final MutableClock clock = MutableClock.startingNow();
  static final ObjectMapper json = new ObjectMapper();
  /** Stubs for the script, under target/ so that tests leave scripts/gen-py alone. */
  static final Path GEN_DIR = Repo.root().resolve("server/target/hourglass-admin-gen-py");
  static TestServer server;
  PinLater.Client client;
  String queue;

  @BeforeAll
  static void startServer() {
    server = TestServer.start(clock, Map.of(
        "dequeue.emptySlotCacheMillis", "0", "queue.deletePasswordHash", DeleteGuard.hash(PASSWORD)));
    ok("queues"); // generates the stubs now, so no test sees that note on stderr
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  @BeforeEach
  void newQueue(TestInfo info) throws Exception {
    client = server.client();
    queue = TestQueues.nameFor(info);
    client.createQueue(TestServer.CONTEXT, queue);
  }

  @Test
  void createQueueMakesTheQueueListed() throws Exception {
    String created = queue + "_new";
    assertEquals(List.of("created queue " + created), ok("create-queue", created).stdoutLines());

    assertTrue(ok("queues").stdoutLines().contains(created));
    JsonNode names = json.readTree(ok("--json", "queues").stdout()).get("queues");
    assertTrue(names.toString().contains("\"" + created + "\""), names.toString());
    assertTrue(client.getQueueNames(TestServer.CONTEXT).contains(created));
  }

  @Test
  void enqueuePrintsADescriptorPerBodyAndCountSeesTheJobs() throws Exception {
    ExternalCommand.Result r = ok("enqueue", queue, "red", "green", "blue", "--priority", "2", "--attempts", "5");
    assertEquals(3, r.stdoutLines().size(), r.describe());
    for (String d : r.stdoutLines()) {
      assertTrue(d.matches(queue + ":s\\d+:p2:\\d+"), d);
      assertEquals(5, lookup(client, d).getAttemptsAllowed());
    }

    assertEquals(List.of("3 PENDING jobs in queue " + queue + " (all priorities, runnable now)"),
        ok("count", queue, "--state", "pending").stdoutLines());
    assertEquals(List.of("0 PENDING jobs in queue " + queue + " (priority 1, runnable now)"),
        ok("count", queue, "--state", "pending", "--priority", "1").stdoutLines());
    JsonNode count =
        json.readTree(ok("count", queue, "--state", "PENDING", "--regex", "^(red|blue)$", "--json").stdout());
    assertEquals(2, count.get("count").asInt(), count.toString());
    assertEquals("PENDING", count.get("state").asText());
  }

  @Test
  void countWithFutureCountsOnlyJobsThatRunLater() {
    String inAnHour = String.valueOf(clock.millis() + Duration.ofHours(1).toMillis());
    ok("enqueue", queue, "later", "--run-after-ms", inAnHour);
    ok("enqueue", queue, "now");

    assertTrue(ok("count", queue, "--state", "pending").stdout().startsWith("1 PENDING job in queue"));
    assertTrue(ok("count", queue, "--state", "pending", "--future").stdout()
        .startsWith("1 PENDING job in queue " + queue + " (all priorities, run-after in the future)"));
  }

  @Test
  void scanPagesThroughEveryJobOnce() throws Exception {
    Set<String> enqueued = new HashSet<>();
    for (int batch = 0; batch < 5; batch++) { // five requests, so the jobs spread over the shards
      PinLaterJob[] jobs = IntStream.range(0, 50).mapToObj(i -> job("scan-" + i, 1)).toArray(PinLaterJob[]::new);
      enqueued.addAll(enqueue(client, queue, jobs));
    }

    ExternalCommand.Result r = ok("scan", queue, "--state", "pending", "--page-size", "40");

    List<String> scanned = r.stdoutLines().stream().map(line -> line.split(" ")[0]).toList();
    assertEquals(250, scanned.size(), r.describe());
    assertEquals(enqueued, new HashSet<>(scanned), "every job exactly once");
    assertTrue(r.stdoutLines().get(0).contains("  PENDING  attempts=2/2  runAfter="), r.stdoutLines().get(0));
    List<String> progress = List.of(r.stderr().split("\n"));
    assertEquals("scan: page 1: 40 jobs, 40 so far", progress.get(0), r.stderr());
    assertEquals("scan: page 7: 10 jobs, 250 so far", progress.get(6), r.stderr());
    assertEquals("scan: done: 250 PENDING jobs in 7 pages", progress.get(progress.size() - 1), r.stderr());
  }

  @Test
  void scanStopsAfterLimitTotalAndSaysMoreMayMatch() {
    ok("enqueue", queue, "a", "b", "c", "d", "e");

    ExternalCommand.Result r = ok("scan", queue, "--state", "pending", "--page-size", "2", "--limit-total", "3");

    assertEquals(3, r.stdoutLines().size(), r.describe());
    assertTrue(r.stderr().endsWith("scan: stopped after --limit-total 3 jobs; more may match\n"), r.stderr());
  }

  @Test
  void scanWithJsonPrintsOneObjectPerJobWithTheIdlFieldNames() throws Exception {
    ok("enqueue", queue, "one", "--priority", "1");
    String two = ok("enqueue", queue, "two", "--priority", "2").stdout().trim();

    ExternalCommand.Result r = ok("--json", "scan", queue, "--state", "pending", "--priority", "2");

    assertEquals(1, r.stdoutLines().size(), r.describe());
    JsonNode info = json.readTree(r.stdoutLines().get(0));
    assertEquals(two, info.get("jobDescriptor").asText());
    assertEquals("PENDING", info.get("jobState").asText());
    assertEquals(2, info.get("attemptsRemaining").asInt());
    assertEquals(clock.millis(), info.get("createdAtTimestampMillis").asLong());
  }

  @Test
  void lookupShowsEachJobAndReportsTheMissingOnes() throws Exception {
    String d = ok("enqueue", queue, "hello \"world\"").stdout().trim();
    String missing = queue + ":s1:p1:999999999";

    ExternalCommand.Result r = admin("lookup", d, missing, "--body");

    assertEquals(1, r.exitCode(), r.describe());
    assertEquals(d, r.stdoutLines().get(0));
    assertTrue(r.stdout().contains("  state       PENDING\n  attempts    2 of 2 left\n"), r.stdout());
    assertTrue(r.stdout().contains("  body        \"hello \\\"world\\\"\"\n"), r.stdout());
    assertEquals("lookup: not found: " + missing + "\n", r.stderr());

    JsonNode found = json.readTree(ok("lookup", d, "--json").stdout());
    assertEquals("PENDING", found.get("jobs").get(d).get("jobState").asText(), found.toString());
    assertFalse(found.toString().contains("\"body\""), "no body without --body");
  }

  @Test
  void enqueueWithAUniqueKeyReturnsTheHolderTheSecondTime() throws Exception {
    String first = ok("enqueue", queue, "once", "--unique-key", "invoice-7").stdout().trim();
    assertEquals(List.of(first + "  (existing job: its unique key was held)"),
        ok("enqueue", queue, "twice", "--unique-key", "invoice-7").stdoutLines());
    JsonNode again = json.readTree(ok("enqueue", queue, "thrice", "--unique-key", "invoice-7", "--json").stdout());
    assertEquals("[0]", again.get("existingJobIndexes").toString());
    assertEquals(2, admin("enqueue", queue, "a", "b", "--unique-key", "k").exitCode(), "--unique-key takes one BODY");
    long expiry = clock.millis() + 60_000;
    String expiring = ok("enqueue", queue, "soon", "--expires-at-ms", String.valueOf(expiry)).stdout().trim();
    assertEquals(expiry, lookup(client, expiring).getExpiresAtTimestampMillis());
  }

  @Test
  void lookupShowsTheUniqueKeyAndTheAttemptHistory() throws Exception {
    String d = ok("enqueue", queue, "flaky", "--unique-key", "k1", "--attempts", "3").stdout().trim();
    dequeue(client, queue, 10);
    client.ackDequeuedJobs(TestServer.CONTEXT, new io.hourglass.thrift.PinLaterJobAckRequest(queue).setJobsFailed(
        List.of(new io.hourglass.thrift.PinLaterJobAckInfo(d).setAppendCustomStatus("timeout"))));
    ExternalCommand.Result r = ok("lookup", d);
    assertTrue(r.stdout().contains("  unique key  \"k1\"\n"), r.stdout());
    assertTrue(r.stdout().contains("  attempts (last 1, oldest first):\n    #1  "), r.stdout());
    assertTrue(r.stdout().contains(TestServer.CONTEXT.getSource() + "  \"timeout\"\n"), r.stdout());
    JsonNode attempt = json.readTree(ok("lookup", d, "--json").stdout()).get("jobs").get(d).get("attempts").get(0);
    assertEquals(1, attempt.get("attempt").asInt(), attempt.toString());
    assertEquals("timeout", attempt.get("status").asText());
  }

  @Test
  void schedulesAreCreatedListedAndDeleted() throws Exception {
    JsonNode created = json.readTree(ok("schedules", "create", queue, "--cron", "0 9 * * 1-5", "--time-zone",
        "Europe/Paris", "--body", "report", "--priority", "2", "--json").stdout());
    long id = created.get("scheduleId").asLong();
    assertEquals("0 9 * * 1-5", created.get("cronExpression").asText(), created.toString());
    String every = ok("schedules", "create", queue, "--every-ms", "60000", "--body", "ping").stdout();
    assertTrue(every.startsWith("created schedule "), every);

    List<String> listed = ok("schedules", "list", "--queue", queue).stdoutLines();
    assertEquals(2, listed.size(), listed.toString());
    assertTrue(listed.get(0).startsWith("schedule " + id + "  " + queue + "  cron=\"0 9 * * 1-5\" tz=Europe/Paris  next="),
        listed.get(0));
    assertTrue(listed.get(1).contains("every=60000ms"), listed.get(1));

    ExternalCommand.Result bad = admin("schedules", "create", queue, "--every-ms", "10", "--body", "x");
    assertEquals(1, bad.exitCode(), bad.describe());
    assertTrue(bad.stderr().contains("CONTINUATION_INVALID (400): intervalMillis: must be at least 1000"), bad.stderr());

    assertEquals(List.of("deleted schedule " + id), ok("schedules", "delete", String.valueOf(id)).stdoutLines());
    assertEquals(1, admin("schedules", "delete", String.valueOf(id)).exitCode(), "no such schedule any more");
    assertEquals(1, ok("schedules", "list", "--queue", queue).stdoutLines().size());
  }

  @Test
  void retryFailedMovesFailedJobsBackToPending() throws Exception {
    PinLaterJob[] oneAttemptEach =
        IntStream.range(0, 3).mapToObj(i -> job("f" + i, 1).setNumAttemptsAllowed(1)).toArray(PinLaterJob[]::new);
    List<String> failed = enqueue(client, queue, oneAttemptEach);
    dequeue(client, queue, 100);
    ackFailed(client, queue, failed, 0);
    assertTrue(ok("count", queue, "--state", "failed").stdout().startsWith("3 FAILED jobs"));

    assertEquals(
        List.of("moved 3 FAILED jobs of priority 1 in queue " + queue + " back to PENDING (attempts allowed: 4)"),
        ok("retry-failed", queue, "--attempts", "4").stdoutLines());

    for (String d : failed) {
      PinLaterJobInfo info = lookup(client, d);
      assertEquals(PinLaterJobState.PENDING, info.getJobState(), d);
      assertEquals(4, info.getAttemptsRemaining(), d);
    }
    assertTrue(ok("count", queue, "--state", "failed").stdout().startsWith("0 FAILED jobs"));
  }

  @Test
  void deleteRemovesOnlyTheMatchingJobs() throws Exception {
    ok("enqueue", queue, "keep-1", "drop-1", "drop-2");
    String otherPriority = ok("enqueue", queue, "drop-3", "--priority", "2").stdout().trim();

    assertEquals(List.of("deleted 2 PENDING jobs of priority 1 from queue " + queue),
        ok("delete", queue, "--state", "pending", "--regex", "^drop").stdoutLines());

    assertTrue(ok("count", queue, "--state", "pending").stdout().startsWith("2 PENDING jobs"));
    assertEquals(PinLaterJobState.PENDING, lookup(client, otherPriority).getJobState());
    JsonNode r = json.readTree(ok("delete", queue, "--state", "pending", "--priority", "2", "--json").stdout());
    assertEquals(1, r.get("deleted").asInt(), r.toString());
  }

  @Test
  void deleteQueueNeedsTheRightPassword() throws Exception {
    enqueue(client, queue, job("x", 1));

    ExternalCommand.Result wrong = admin("delete-queue", queue, "--password", "wrong");
    assertEquals(1, wrong.exitCode(), wrong.describe());
    assertTrue(wrong.stderr().startsWith("hourglass-admin: PASSWORD_INVALID (403): "), wrong.stderr());
    assertTrue(client.getQueueNames(TestServer.CONTEXT).contains(queue));

    ExternalCommand.Result right = command("delete-queue", queue).stdin(PASSWORD + "\n").run();
    assertEquals(0, right.exitCode(), right.describe());
    assertEquals(List.of("deleted queue " + queue + " and all its jobs"), right.stdoutLines());
    assertFalse(client.getQueueNames(TestServer.CONTEXT).contains(queue));
  }

  @Test
  void aMissingQueueIsReportedWithTheErrorCodeName() {
    ExternalCommand.Result r = admin("count", "no_such_queue", "--state", "pending");

    assertEquals(1, r.exitCode(), r.describe());
    assertEquals("", r.stdout());
    assertEquals("hourglass-admin: QUEUE_NOT_FOUND (413): queueName: queue 'no_such_queue' does not exist\n",
        r.stderr());
  }

  @Test
  void anUnreachableServerExitsWith3() throws IOException {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    ExternalCommand.Result r = command("queues", "--port", String.valueOf(closedPort)).run();

    assertEquals(3, r.exitCode(), r.describe());
    assertTrue(r.stderr().startsWith("hourglass-admin: cannot talk to the server at 127.0.0.1:" + closedPort + ": "),
        r.stderr());
  }

  @Test
  void badUsageExitsWith2() {
    ExternalCommand.Result r = admin("count", queue);

    assertEquals(2, r.exitCode(), r.describe());
    assertTrue(r.stderr().contains("the following arguments are required: --state"), r.stderr());
  }

  @Test
  void stubsAreGeneratedOnFirstUseAndAgainWhenTheIdlChanges() throws Exception {
    Path genDir = Files.createTempDirectory("hourglass-admin-gen-");
    Map<String, String> env = Map.of("HOURGLASS_ADMIN_GEN_DIR", genDir.toString());

    ExternalCommand.Result first = command("queues").env(env).run();
    assertEquals(0, first.exitCode(), first.describe());
    assertTrue(first.stderr().contains("generated Python stubs"), first.stderr());
    assertTrue(Files.exists(genDir.resolve("hourglass_thrift/ttypes.py")));

    ExternalCommand.Result second = command("queues").env(env).run();
    assertEquals("", second.stderr(), "reused");

    Files.writeString(genDir.resolve(".idl-sha256"), "the hash of an older IDL\n");
    ExternalCommand.Result afterChange = command("queues").env(env).run();
    assertEquals(0, afterChange.exitCode(), afterChange.describe());
    assertTrue(afterChange.stderr().contains("generated Python stubs"), afterChange.stderr());
  }

  /** The admin script against the test server; options are given after the subcommand too. */
  private static ExternalCommand command(String... args) {
    List<String> cmd = new ArrayList<>(List.of(Repo.root().resolve("scripts/hourglass-admin").toString(),
        "--port", String.valueOf(server.port()), "--source", "admin-scripts-test"));
    cmd.addAll(List.of(args));
    return ExternalCommand.of(cmd)
        .env(Map.of("HOURGLASS_ADMIN_GEN_DIR", GEN_DIR.toString()))
        .ifMissing("scripts/hourglass-admin needs /usr/bin/python3 with python3-thrift and thrift-compiler "
            + "(scripts/ensure-tools installs them)")
        .timeout(Duration.ofSeconds(60));
  }

  private static ExternalCommand.Result admin(String... args) {
    return command(args).run();
  }

  private static ExternalCommand.Result ok(String... args) {
    return command(args).runSuccessfully();
  }
}
