package io.hourglass.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hourglass.testing.MutableClock;
import io.hourglass.testing.Repo;
import io.hourglass.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A Python client generated with the Apache Thrift compiler from the unmodified PinLater IDL
 * talks to Hourglass: the strongest check that our IDL is wire-compatible.
 */
class ReferenceIdlCompatibilityTest {

  @Test
  void pythonClientFromTheReferenceIdlRunsTheCoreScenario() throws Exception {
    Path gen = Files.createTempDirectory("pinlater-py-");
    Path idl = Repo.root().resolve("server/src/test/resources/pinlater-reference.thrift");
    run(List.of("thrift", "--gen", "py", "-out", gen.toString(), idl.toString()), Map.of(),
        "the Thrift compiler (Debian package thrift-compiler) is required");
    try (TestServer server = TestServer.start(MutableClock.startingNow(), Map.of())) {
      String out = run(
          List.of("/usr/bin/python3", Repo.root().resolve("server/src/test/python/reference_client.py").toString(),
              "127.0.0.1", String.valueOf(server.port()), "reference_py"),
          Map.of("PYTHONPATH", gen.toString()),
          "/usr/bin/python3 with Debian's python3-thrift is required");
      assertTrue(out.contains("OK reference client"), out);
    }
  }

  private static String run(List<String> cmd, Map<String, String> env, String hint) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().putAll(env);
    Process p;
    try {
      p = pb.start();
    } catch (java.io.IOException e) {
      throw new AssertionError(String.join(" ", cmd) + " could not start: " + hint, e);
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "timed out: " + cmd);
    assertEquals(0, p.exitValue(), String.join(" ", cmd) + " failed (" + hint + "):\n" + out);
    return out;
  }
}
