package io.hourglass.server;

import static io.hourglass.testing.TestServer.CONTEXT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hourglass.server.edge.DeleteGuard;
import io.hourglass.testing.ExternalCommand;
import io.hourglass.testing.MutableClock;
import io.hourglass.testing.Repo;
import io.hourglass.testing.TestServer;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** pause / resume from scripts/hourglass-admin and the Java CLI, over the admin HTTP API. */
class PauseCommandsTest {
  static final String PASSWORD = "pause-test-pw";
  static final MutableClock clock = MutableClock.startingNow();
  static TestServer server;
  static TestServer actionsOff;

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.start(clock, Map.of("admin.actions", "true", "admin.passwordHash", DeleteGuard.hash(PASSWORD)));
    server.client().createQueue(CONTEXT, "pausable");
    actionsOff = TestServer.start(clock, Map.of());
  }

  @AfterAll
  static void stop() {
    server.close();
    actionsOff.close();
  }

  private static String url(TestServer s) {
    return "http://127.0.0.1:" + s.server().adminPort();
  }

  private static ExternalCommand.Result script(String password, String... args) {
    List<String> cmd = new java.util.ArrayList<>(List.of(Repo.root().resolve("scripts/hourglass-admin").toString()));
    cmd.addAll(List.of(args));
    return ExternalCommand.of(cmd).env(Map.of("HOURGLASS_ADMIN_PASSWORD", password)).timeout(Duration.ofSeconds(60))
        .ifMissing("scripts/hourglass-admin needs /usr/bin/python3").run();
  }

  private static int java(String stdin, StringWriter err, String... args) {
    InputStream before = System.in;
    System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
    try {
      return io.hourglass.client.cli.Main.run(new PrintWriter(new StringWriter()), new PrintWriter(err), args);
    } finally {
      System.setIn(before);
    }
  }

  @Test
  void scriptPausesAndJavaCliResumesEveryServer() {
    ExternalCommand.Result paused = script(PASSWORD, "pause", "pausable", "--admin-url", url(server), "--user", "bob");
    assertEquals(0, paused.exitCode(), paused.describe());
    assertEquals(Set.of("pausable"), server.server().pauses().paused());
    assertTrue(server.server().pauses().latest("pausable").changedBy().startsWith("bob@"));
    StringWriter err = new StringWriter();
    assertEquals(0, java(PASSWORD + "\n", err, "resume", "--admin", url(server), "--user", "carol", "pausable"),
        err.toString());
    assertEquals(Set.of(), server.server().pauses().paused());
  }

  @Test
  void wrongPasswordOrActionsOffIsRefusedAndChangesNothing() {
    ExternalCommand.Result wrong = script("nope", "pause", "pausable", "--admin-url", url(server));
    assertEquals(1, wrong.exitCode(), wrong.describe());
    assertTrue(wrong.stderr().contains("401"), wrong.stderr());
    StringWriter err = new StringWriter();
    assertEquals(1, java("nope\n", err, "pause", "--admin", url(server), "pausable"));
    assertTrue(err.toString().contains("HTTP 401"), err.toString());
    server.server().pauses().refresh();
    assertEquals(Set.of(), server.server().pauses().paused());
    // admin.actions defaults to false: nothing is offered or accepted.
    ExternalCommand.Result off = script(PASSWORD, "pause", "pausable", "--admin-url", url(actionsOff));
    assertEquals(1, off.exitCode(), off.describe());
    assertTrue(off.stderr().contains("403"), off.stderr());
    assertTrue(actionsOff.adminGet("/").body().contains("Overview"));
  }
}
