package io.hourglass.server;

import static io.hourglass.testing.TestServer.CONTEXT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hourglass.fuzz.FuzzCampaign;
import io.hourglass.testing.ServerLogCapture;
import io.hourglass.testing.TestServer;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The fuzzer against a real server over real sockets (see {@link FuzzCampaign}): at least 10,000
 * hostile frames of every kind over four connections while normal clients enqueue, dequeue and
 * ack throughout. Fails on any failed normal request, any answer the oracle rejects, heap growth
 * (after GC) beyond {@link #HEAP_GROWTH_BOUND}, or a stack trace in the server's log.
 *
 * <p>Replay or a long run: {@code scripts/fuzz --frames 1000000 [--seed S]} (system properties
 * {@code fuzz.frames} and {@code fuzz.seed}).
 */
class ProtocolFuzzTest {
  /** The server's own state for a few queues is a few MiB; a leak per frame would be far more. */
  static final long HEAP_GROWTH_BOUND = 64L << 20;
  static final int MAX_FRAME_BYTES = 1 << 20;
  static final int MAX_STRING_BYTES = 65536;
  static final int MAX_CONTAINER_ITEMS = 1000;
  static TestServer server;

  @BeforeAll
  static void start() throws Exception {
    // the real clock, so that the rate-limited malformed-request log writes its lines
    server = TestServer.start(Clock.systemUTC(), Map.of(
        "thrift.maxFrameBytes", String.valueOf(MAX_FRAME_BYTES),
        "thrift.maxStringBytes", String.valueOf(MAX_STRING_BYTES),
        "thrift.maxContainerItems", String.valueOf(MAX_CONTAINER_ITEMS),
        "dequeue.maxWaitMillis", "500"));
    for (String q : FuzzCampaign.QUEUES) {
      server.client().createQueue(CONTEXT, q);
    }
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static long heapAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  @Test
  void tenThousandHostileFramesLeaveNormalClientsServedTheHeapBoundedAndTheLogFreeOfStackTraces()
      throws Exception {
    long frames = Long.getLong("fuzz.frames", 10_000);
    long seed = Long.getLong("fuzz.seed", System.nanoTime());
    FuzzCampaign.Settings settings = new FuzzCampaign.Settings("127.0.0.1", server.port(), frames, 4, seed,
        MAX_FRAME_BYTES, MAX_STRING_BYTES, MAX_CONTAINER_ITEMS);
    // warm up (classes, JIT, pools) so that what stays afterwards is growth, not first use
    FuzzCampaign.run(settings.withFrames(600).withSeed(seed ^ 0x5eed));
    long before = heapAfterGc();
    FuzzCampaign.Result result;
    List<String> stackTraces;
    List<String> lines;
    try (ServerLogCapture log = new ServerLogCapture()) {
      result = FuzzCampaign.run(settings);
      stackTraces = log.stackTraces();
      lines = log.lines();
    }
    long after = heapAfterGc();
    String replay = "replay: scripts/fuzz --frames " + frames + " --seed " + seed;
    System.out.println(result.summary());
    System.out.printf("heap after GC: %d KiB before, %d KiB after (%+d KiB); %d server log lines%n",
        before >> 10, after >> 10, (after - before) >> 10, lines.size());
    assertTrue(result.fuzz().sent() >= frames, result.summary());
    assertEquals(0, result.fuzz().rejected(), "answers the oracle rejects, " + replay + ":\n"
        + String.join("\n", result.fuzz().failures()));
    assertEquals(0, result.normalFailed(), "normal requests failed, " + replay + ":\n"
        + String.join("\n", result.normalFailures()));
    assertTrue(result.normalServed() > 0, "no normal request was served");
    assertTrue(stackTraces.isEmpty(), "stack traces in the server log, " + replay + ":\n"
        + String.join("\n", stackTraces.subList(0, Math.min(40, stackTraces.size()))));
    assertTrue(after - before < HEAP_GROWTH_BOUND, "heap grew by " + ((after - before) >> 20) + " MiB, " + replay);
    assertTrue(server.client().getQueueNames(CONTEXT).containsAll(FuzzCampaign.QUEUES));
  }
}
