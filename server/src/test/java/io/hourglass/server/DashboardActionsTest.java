package io.hourglass.server;

import static io.hourglass.server.Jobs.enqueue;
import static io.hourglass.server.Jobs.job;
import static io.hourglass.testing.TestServer.CONTEXT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hourglass.server.edge.DeleteGuard;
import io.hourglass.testing.MutableClock;
import io.hourglass.testing.TestServer;
import io.hourglass.thrift.PinLaterGetJobCountRequest;
import io.hourglass.thrift.PinLaterJobState;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The dashboard's batch delete over plain HTTP: dry-run count first, bounded, then the deletion. */
class DashboardActionsTest {
  static final String PASSWORD = "actions-test-pw";
  static TestServer server;
  static String base;
  static String csrf;

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.start(MutableClock.startingNow(), Map.of("admin.actions", "true",
        "admin.passwordHash", DeleteGuard.hash(PASSWORD), "admin.maxBatch", "5"));
    base = "http://127.0.0.1:" + server.server().adminPort();
    csrf = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + "/api/csrf")).build(),
        HttpResponse.BodyHandlers.ofString()).body().trim();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static HttpResponse<String> action(String form) throws Exception {
    String auth = Base64.getEncoder().encodeToString(("dora:" + PASSWORD).getBytes(StandardCharsets.UTF_8));
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + "/ui/action"))
        .header("Content-Type", "application/x-www-form-urlencoded").header("Authorization", "Basic " + auth)
        .POST(HttpRequest.BodyPublishers.ofString(form + "&csrf=" + csrf)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static int pending(String queue) throws Exception {
    return server.client().getJobCount(CONTEXT, new PinLaterGetJobCountRequest(queue, PinLaterJobState.PENDING));
  }

  @Test
  void deleteByRegexShowsTheDryRunCountFirstAndDeletesOnlyOnConfirm() throws Exception {
    server.client().createQueue(CONTEXT, "trash");
    enqueue(server.client(), "trash", job("spam-1", 1), job("spam-2", 1), job("spam-3", 2), job("ham", 1));
    HttpResponse<String> dryRun = action("action=delete-jobs&queue=trash&state=pending&regex=%5Espam");
    assertEquals(200, dryRun.statusCode(), dryRun.body());
    assertTrue(dryRun.body().contains("data-test=\"would-change\">3<"), dryRun.body());
    assertEquals(4, pending("trash"), "a dry run deleted something");
    HttpResponse<String> done = action("action=delete-jobs&queue=trash&state=pending&regex=%5Espam&confirm=yes");
    assertTrue(done.body().contains("data-test=\"changed\">3<"), done.body());
    assertEquals(1, pending("trash"));
    assertEquals(3, server.server().metrics().counted("admin.action.jobs", "action", "delete-jobs"));
  }

  @Test
  void batchesAboveTheConfiguredMaximumAreRefused() throws Exception {
    server.client().createQueue(CONTEXT, "capped");
    HttpResponse<String> r = action("action=delete-jobs&queue=capped&state=pending&limit=6&confirm=yes");
    assertEquals(400, r.statusCode());
    assertTrue(r.body().contains("limit"), r.body());
  }
}
