package io.hourglass.server;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hourglass.testing.ExternalCommand;
import io.hourglass.testing.ForeignClients;
import io.hourglass.testing.MutableClock;
import io.hourglass.testing.Repo;
import io.hourglass.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A Python client generated with the Apache Thrift compiler from the unmodified PinLater IDL
 * talks to Hourglass: the strongest check that our IDL is wire-compatible.
 */
class ReferenceIdlCompatibilityTest {

  @Test
  void pythonClientFromTheReferenceIdlRunsTheCoreScenario() throws Exception {
    ForeignClients.requirePythonThrift();
    Path gen = ForeignClients.generate("py",
        Repo.root().resolve("server/src/test/resources/pinlater-reference.thrift"), Files.createTempDirectory("pinlater-py-"));
    try (TestServer server = TestServer.start(MutableClock.startingNow(), Map.of())) {
      ExternalCommand.Result r = ExternalCommand.of(List.of(ForeignClients.PYTHON,
              Repo.root().resolve("server/src/test/python/reference_client.py").toString(),
              "127.0.0.1", String.valueOf(server.port()), "reference_py"))
          .env(Map.of("PYTHONPATH", gen.toString()))
          .runSuccessfully();
      assertTrue(r.stdout().contains("OK reference client"), r.describe());
    }
  }
}
