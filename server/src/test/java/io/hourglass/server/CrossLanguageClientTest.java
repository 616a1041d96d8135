package io.hourglass.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.hourglass.testing.ExternalCommand;
import io.hourglass.testing.ForeignClients;
import io.hourglass.testing.MutableClock;
import io.hourglass.testing.Repo;
import io.hourglass.testing.TestServer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Python and Node.js clients generated from OUR IDL with the Apache Thrift compiler run the same
 * scenario against a live server (create a queue, enqueue with priorities, dequeue in priority
 * order, ack, count, look up, page through a scan). The scenario scripts check every result
 * themselves and exit non-zero on a mismatch; here we check they ran to the end.
 */
class CrossLanguageClientTest {
  static final String SCENARIO_SUMMARY =
      "client: 9 jobs dequeued in priority order and acked, 25 jobs scanned in 4 pages";
  static TestServer server;

  @BeforeAll
  static void startServer() {
    server = TestServer.start(MutableClock.startingNow(), Map.of());
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  @Test
  void pythonClientGeneratedFromOurIdlRunsTheScenario() {
    ForeignClients.requirePythonThrift();
    Path stubs = ForeignClients.generate("py", ForeignClients.ourIdl(), target("cross-language/gen-py"));
    ExternalCommand.Result r = ExternalCommand.of(List.of(ForeignClients.PYTHON,
            Repo.root().resolve("server/src/test/python/hourglass_client_scenario.py").toString(),
            "127.0.0.1", String.valueOf(server.port()), "scenario_py"))
        .env(Map.of("PYTHONPATH", stubs.toString()))
        .runSuccessfully();
    assertEquals(List.of("OK python " + SCENARIO_SUMMARY), r.stdoutLines(), r.describe());
  }

  @Test
  void nodeClientGeneratedFromOurIdlRunsTheScenario() {
    Path modules = ForeignClients.nodeThriftRuntime();
    // Inside node-client/, so the generated files' require('thrift') finds its node_modules.
    Path stubs = ForeignClients.generate("js:node,es6", ForeignClients.ourIdl(), target("node-client/gen-nodejs"));
    ExternalCommand.Result r = ExternalCommand.of(List.of("node",
            Repo.root().resolve("server/src/test/node/scenario.js").toString(),
            "127.0.0.1", String.valueOf(server.port()), "scenario_node", stubs.toString()))
        .env(Map.of("NODE_PATH", modules.toString()))
        .runSuccessfully();
    assertEquals(List.of("OK node " + SCENARIO_SUMMARY), r.stdoutLines(), r.describe());
  }

  /**
   * The same Python client uses each extension once (unique key, give-up, the queue's retry
   * policy, attempt history, expiry, schedules) against a server of its own: real clock, a
   * fixed 60 s retry policy on the scenario's queue, an expiry sweep every 200 ms.
   */
  @Test
  void pythonClientGeneratedFromOurIdlUsesEachExtension() throws Exception {
    ForeignClients.requirePythonThrift();
    Path queueConfig = java.nio.file.Files.createTempFile("queues-", ".json");
    java.nio.file.Files.writeString(queueConfig,
        "{\"queues\": {\"extensions_py\": {\"retry\": {\"policy\": \"fixed\", \"delayMillis\": 60000}}}}");
    Path stubs = ForeignClients.generate("py", ForeignClients.ourIdl(), target("cross-language/gen-py"));
    try (TestServer own = TestServer.start(java.time.Clock.systemUTC(), Map.of("queueConfig", queueConfig.toString(),
        "maintenance.expiryIntervalMillis", "200", "dequeue.emptySlotCacheMillis", "0"))) {
      ExternalCommand.Result r = ExternalCommand.of(List.of(ForeignClients.PYTHON,
              Repo.root().resolve("server/src/test/python/extensions_scenario.py").toString(),
              "127.0.0.1", String.valueOf(own.port()), "extensions_py"))
          .env(Map.of("PYTHONPATH", stubs.toString()))
          .runSuccessfully();
      assertEquals(List.of("OK python extensions: unique key, give-up, retry policy, attempt history, expiry, "
          + "schedules"), r.stdoutLines(), r.describe());
    }
  }

  private static Path target(String dir) {
    return Repo.root().resolve("server/target").resolve(dir);
  }
}
