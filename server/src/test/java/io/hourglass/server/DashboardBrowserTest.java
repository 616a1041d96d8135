package io.hourglass.server;

import static io.hourglass.server.Jobs.ackSucceeded;
import static io.hourglass.server.Jobs.dequeue;
import static io.hourglass.server.Jobs.enqueue;
import static io.hourglass.server.Jobs.job;
import static io.hourglass.testing.TestServer.CONTEXT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hourglass.server.edge.DeleteGuard;
import io.hourglass.testing.Browser;
import io.hourglass.testing.Eventually;
import io.hourglass.testing.TestServer;
import io.hourglass.thrift.PinLater;
import io.hourglass.thrift.PinLaterDequeueRequest;
import io.hourglass.thrift.ErrorCode;
import io.hourglass.thrift.PinLaterException;
import io.hourglass.thrift.PinLaterGetJobCountRequest;
import io.hourglass.thrift.PinLaterJobAckInfo;
import io.hourglass.thrift.PinLaterJobAckRequest;
import io.hourglass.thrift.PinLaterJobState;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The dashboard in a real browser (headless Chromium) against a live server on real MariaDB
 * shards: every page loads and shows what the Thrift API reports, markup in the data stays text,
 * pause / resume and redrive work end to end, and actions without credential or CSRF token are
 * refused and change nothing. Screenshots: server/target/screenshots/.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardBrowserTest {
  static final String PASSWORD = "correct horse battery staple";
  static final String MARKUP = "<img src=x onerror=alert(1)><script>alert(2)</script>\"'&";
  static final Duration APPLIES_WITHIN = Duration.ofSeconds(10);
  static TestServer server;
  static PinLater.Client c;
  static Browser browser;
  static String base;
  static String failedJob;

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.start(Clock.systemUTC(), Map.of("admin.actions", "true",
        "admin.passwordHash", DeleteGuard.hash(PASSWORD), "admin.countsRefreshMillis", "300",
        "config.pollMillis", "200", "maintenance.claimTimeoutMillis", "60000"));
    c = server.client();
    c.createQueue(CONTEXT, "emails");
    c.createQueue(CONTEXT, "reports");
    enqueue(c, "emails", job("a", 1), job("b", 1), job("c", 1), job("d", 2), job("e", 3));
    enqueue(c, "emails", job("later", 1).setRunAfterTimestampMillis(System.currentTimeMillis() + 3_600_000));
    enqueue(c, "reports", job(MARKUP, 1).setNumAttemptsAllowed(1), job("r2", 1).setNumAttemptsAllowed(1),
        job("r3", 2));
    // Two reports jobs fail for good (one attempt each), with markup in the custom status.
    List<String> claimed = new ArrayList<>(dequeue(c, "reports", 2).getJobs().keySet());
    List<PinLaterJobAckInfo> failed = new ArrayList<>();
    for (String d : claimed) {
      failed.add(new PinLaterJobAckInfo(d).setAppendCustomStatus("timeout: " + MARKUP));
    }
    c.ackDequeuedJobs(CONTEXT, new PinLaterJobAckRequest("reports").setJobsFailed(failed));
    failedJob = claimed.get(0);
    ackSucceeded(c, "emails", new ArrayList<>(dequeue(c, "emails", 1).getJobs().keySet()));
    dequeue(c, "emails", 1); // one stays IN_PROGRESS
    recount();
    base = "http://127.0.0.1:" + server.server().adminPort();
    browser = Browser.start(base, "ops-alice", PASSWORD);
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.close();
    }
    server.close();
  }

  /** A count cycle and a read-back now, instead of waiting for the background interval. */
  static void recount() {
    server.server().counter().runOnce();
    server.server().dashboardData().refresh();
  }

  static int count(String queue, PinLaterJobState state) throws Exception {
    return c.getJobCount(CONTEXT, new PinLaterGetJobCountRequest(queue, state));
  }

  static int countFuture(String queue) throws Exception {
    return c.getJobCount(CONTEXT, new PinLaterGetJobCountRequest(queue, PinLaterJobState.PENDING).setCountFutureJobs(true));
  }

  @Test
  @Order(1)
  void everyPageLoadsAndShowsWhatTheApiReports() throws Exception {
    Browser.Page overview = browser.go("/", "overview.png");
    assertEquals(200, overview.status());
    long pending = count("emails", PinLaterJobState.PENDING) + count("reports", PinLaterJobState.PENDING);
    assertEquals(String.format("%,d", pending), overview.text("total-pending"));
    assertEquals(String.valueOf(count("reports", PinLaterJobState.FAILED)), overview.text("total-failed"));
    assertEquals("3", overview.text("shards-healthy"));
    assertEquals("1", overview.text("live-servers"));

    Browser.Page queues = browser.go("/ui/queues", "queues.png");
    List<List<String>> rows = queues.table("queues");
    assertEquals(2, rows.size());
    for (List<String> row : rows) {
      String q = row.get(0);
      assertEquals(String.valueOf(count(q, PinLaterJobState.PENDING)), row.get(1), q + " pending now");
      assertEquals(String.valueOf(countFuture(q)), row.get(2), q + " pending future");
      assertEquals(String.valueOf(count(q, PinLaterJobState.IN_PROGRESS)), row.get(3), q + " in progress");
      assertEquals(String.valueOf(count(q, PinLaterJobState.FAILED)), row.get(4), q + " failed");
      assertEquals(String.valueOf(count(q, PinLaterJobState.SUCCEEDED)), row.get(5), q + " succeeded");
    }
    Browser.Page onPhone = browser.goOnPhone("/ui/queues", "queues-phone.png");
    assertEquals(200, onPhone.status());
    assertFalse(onPhone.overflowsHorizontally(), "the page itself scrolls sideways on a phone (tables may)");

    Browser.Page detail = browser.go("/ui/queue?name=reports", "queue-detail.png");
    long failedInGrid = detail.table("failed").stream().mapToLong(r -> r.subList(1, r.size()).stream()
        .mapToLong(Long::parseLong).sum()).sum();
    assertEquals(count("reports", PinLaterJobState.FAILED), failedInGrid);
    assertEquals("timeout", detail.table("failed-groups").get(0).get(0));

    Browser.Page jobs = browser.go("/ui/jobs?queue=reports&state=failed", "job-browser.png");
    assertEquals(count("reports", PinLaterJobState.FAILED), jobs.table("jobs").size());
    assertTrue(jobs.text("cli").startsWith("scripts/hourglass-admin scan reports --state failed"), jobs.text("cli"));

    Browser.Page job = browser.go("/ui/job?d=" + java.net.URLEncoder.encode(failedJob, StandardCharsets.UTF_8),
        "job.png");
    assertEquals(failedJob, job.text("descriptor"));
    assertEquals("failed", job.text("state"));

    Browser.Page shards = browser.go("/ui/shards", "shards.png");
    assertEquals(3, shards.table("shards").size());
    assertEquals(List.of("healthy", "healthy", "healthy"), shards.texts("state"));

    Browser.Page maintenance = browser.go("/ui/maintenance", "maintenance.png");
    assertTrue(maintenance.table("maintenance-runs").stream().anyMatch(r -> r.get(1).equals("counts")));
    assertEquals(1, maintenance.table("servers").size());
    for (Browser.Page p : List.of(overview, queues, detail, jobs, job, shards, maintenance)) {
      assertEquals(List.of(), p.consoleErrors(), p.title());
    }
  }

  @Test
  @Order(2)
  void markupInBodiesAndCustomStatusesStaysText() throws Exception {
    String d = java.net.URLEncoder.encode(failedJob, StandardCharsets.UTF_8);
    Browser.Page job = browser.go("/ui/job?d=" + d, null);
    assertEquals("timeout: " + MARKUP, job.text("custom-status"));
    assertTrue(job.texts("body").get(0).equals(MARKUP) || job.texts("body").get(0).equals("r2"), job.texts("body").toString());
    assertEquals(0, job.injected(), "markup from the data became elements or ran");
    Browser.Page b64 = browser.go("/ui/job?d=" + d + "&as=base64", null);
    String shown = b64.text("body");
    assertTrue(List.of(MARKUP, "r2").contains(new String(Base64.getDecoder().decode(shown), StandardCharsets.UTF_8)));
    Browser.Page groups = browser.go("/ui/queue?name=reports", null);
    Browser.Page browse = browser.go("/ui/jobs?queue=reports&state=failed&regex=" + java.net.URLEncoder.encode(MARKUP,
        StandardCharsets.UTF_8), null);
    for (Browser.Page p : List.of(job, b64, groups, browse)) {
      assertEquals(0, p.injected(), p.title());
    }
  }

  /** Whether a dequeue of emails is refused as paused; a job it got is handed back at once. */
  private static boolean dequeueRefused() {
    try {
      var got = c.dequeueJobs(CONTEXT, new PinLaterDequeueRequest("emails", 1));
      if (!got.getJobs().isEmpty()) {
        c.checkpointJobs(CONTEXT, new io.hourglass.thrift.PinLaterCheckpointJobsRequest("emails", List.of(
            new io.hourglass.thrift.PinLaterCheckpointJobRequest(got.getJobs().keySet().iterator().next())
                .setMoveToPending(true))));
      }
      return false;
    } catch (PinLaterException e) {
      assertEquals(ErrorCode.DEQUEUE_RATE_LIMITED, e.getErrorCode(), e.getMessage());
      return true;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  @Order(3)
  void pauseRefusesDequeuesButKeepsAcksUntilResume() throws Exception {
    browser.go("/ui/queue?name=emails", null);
    Browser.Page done = browser.click("#pause-form button", "paused.png");
    assertEquals(200, done.status(), done.raw().toString());
    assertTrue(done.text("done").contains("paused"), done.text("done"));
    Eventually.await(APPLIES_WITHIN, "dequeues refused", DashboardBrowserTest::dequeueRefused);
    // Acks of a paused queue still apply: finish the job claimed before the pause.
    int inProgress = count("emails", PinLaterJobState.IN_PROGRESS);
    assertTrue(inProgress >= 1);
    int succeeded = count("emails", PinLaterJobState.SUCCEEDED);
    var claimed = c.scanJobs(CONTEXT, new io.hourglass.thrift.PinLaterScanJobsRequest("emails", PinLaterJobState.IN_PROGRESS))
        .getScannedJobs();
    c.ackDequeuedJobs(CONTEXT, new PinLaterJobAckRequest("emails").setJobsSucceeded(
        List.of(new PinLaterJobAckInfo(claimed.get(0).getJobDescriptor()))));
    assertEquals(succeeded + 1, count("emails", PinLaterJobState.SUCCEEDED));
    server.server().dashboardData().refresh();
    Browser.Page page = browser.go("/ui/queue?name=emails", "queue-paused.png");
    assertEquals("paused", page.text("paused"));
    assertEquals("paused", browser.go("/ui/queues", null).text("paused"));

    browser.go("/ui/queue?name=emails", null);
    Browser.Page resumed = browser.click("#pause-form button", null);
    assertTrue(resumed.text("done").contains("resumed"), resumed.text("done"));
    Eventually.await(APPLIES_WITHIN, "dequeues served again", () -> !dequeueRefused());
  }

  @Test
  @Order(4)
  void redriveOfFailedJobsShowsTheDryRunCountThenMovesThem() throws Exception {
    int failed = count("reports", PinLaterJobState.FAILED);
    int pending = count("reports", PinLaterJobState.PENDING);
    assertEquals(2, failed);
    browser.go("/ui/queue?name=reports", null);
    Browser.Page dryRun = browser.click("#retry-form button", "redrive-dry-run.png");
    assertEquals(String.valueOf(failed), dryRun.text("would-change"));
    assertEquals(failed, count("reports", PinLaterJobState.FAILED), "the dry run changed something");
    Browser.Page done = browser.click("#confirm-form button", "redrive-done.png");
    assertEquals(String.valueOf(failed), done.text("changed"));
    assertEquals(0, count("reports", PinLaterJobState.FAILED));
    assertEquals(pending + failed, count("reports", PinLaterJobState.PENDING));
    assertTrue(server.server().metrics().counted("admin.actions", "action", "retry-failed", "outcome", "done") == 1);
  }

  private static HttpResponse<String> post(String path, String form, String authorization) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(form));
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String basic(String user, String password) {
    return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  @Test
  @Order(5)
  void actionsWithoutCredentialOrCsrfTokenAreRefusedAndChangeNothing() throws Exception {
    String csrf = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + "/api/csrf")).build(),
        HttpResponse.BodyHandlers.ofString()).body().trim();
    assertEquals(64, csrf.length());
    HttpResponse<String> noCredential = post("/ui/action", "action=pause&queue=emails&csrf=" + csrf, null);
    assertEquals(401, noCredential.statusCode());
    assertTrue(noCredential.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Basic"));
    assertEquals(401, post("/ui/action", "action=pause&queue=emails&csrf=" + csrf, basic("mallory", "guess")).statusCode());
    assertEquals(403, post("/ui/action", "action=pause&queue=emails", basic("ops", PASSWORD)).statusCode());
    // One hex digit changed (the token is random: its first digit may already be 0).
    String tampered = (csrf.charAt(0) == '0' ? "1" : "0") + csrf.substring(1);
    assertEquals(403, post("/ui/action", "action=pause&queue=emails&csrf=" + tampered, basic("ops", PASSWORD))
        .statusCode());
    assertEquals(403, post("/api/pause", "queue=emails", basic("ops", PASSWORD)).statusCode());
    assertEquals(401, post("/ui/action", "action=delete-jobs&queue=reports&state=pending&confirm=yes&csrf=" + csrf, null)
        .statusCode());
    assertEquals(405, HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + "/ui/action")).build(),
        HttpResponse.BodyHandlers.ofString()).statusCode(), "GET must not act");
    server.server().pauses().refresh();
    assertEquals(java.util.Set.of(), server.server().pauses().paused());
    assertFalse(dequeueRefused());
    assertEquals(3, count("reports", PinLaterJobState.PENDING));
    assertTrue(server.server().metrics().counted("admin.actions", "outcome", "refused") >= 6);
    // The page never offers deleteQueue.
    assertFalse(browser.go("/ui/queue?name=emails", null).raw().toString().contains("delete-queue"));
  }

  @Test
  @Order(6)
  void oneJobIsRetriedAndDeletedFromItsPage() throws Exception {
    c.createQueue(CONTEXT, "single");
    String d = enqueue(c, "single", job("once", 1).setNumAttemptsAllowed(1)).get(0);
    dequeue(c, "single", 1);
    Jobs.ackFailed(c, "single", List.of(d), 0);
    assertEquals(PinLaterJobState.FAILED, Jobs.lookup(c, d).getJobState());
    String page = "/ui/job?d=" + java.net.URLEncoder.encode(d, StandardCharsets.UTF_8);
    browser.go(page, null);
    Browser.Page retried = browser.click("#retry-job-form button", null);
    assertEquals("1", retried.text("changed"));
    assertEquals(PinLaterJobState.PENDING, Jobs.lookup(c, d).getJobState());
    browser.go(page, null);
    Browser.Page deleted = browser.click("#delete-job-form button", null);
    assertEquals("1", deleted.text("changed"));
    assertTrue(c.lookupJobs(CONTEXT, new io.hourglass.thrift.PinLaterLookupJobRequest(List.of(d))).isEmpty());
  }
}
