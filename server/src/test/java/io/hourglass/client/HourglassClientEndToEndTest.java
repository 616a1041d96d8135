package io.hourglass.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hourglass.testing.TestServer;
import io.hourglass.thrift.ErrorCode;
import io.hourglass.thrift.PinLaterDequeueRequest;
import io.hourglass.thrift.PinLaterDequeueResponse;
import io.hourglass.thrift.PinLaterEnqueueRequest;
import io.hourglass.thrift.PinLaterJob;
import io.hourglass.thrift.PinLaterJobAckInfo;
import io.hourglass.thrift.PinLaterJobAckRequest;
import io.hourglass.thrift.PinLaterJobInfo;
import io.hourglass.thrift.PinLaterJobState;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Finagle-backed {@link HourglassClient} against live servers. */
class HourglassClientEndToEndTest {
  static TestServer server;

  @BeforeAll
  static void startServer() {
    server = TestServer.start(Clock.systemUTC(), Map.of());
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  @Test
  void everyRpcTheServerImplementsWorksThroughTheClient() {
    try (HourglassClient client = Live.connect(server)) {
      client.createQueue("roundtrip");
      assertTrue(client.getQueueNames().contains("roundtrip"));
      List<String> ds = client.enqueueJobs(new PinLaterEnqueueRequest("roundtrip",
          List.of(new PinLaterJob().setBody("hello".getBytes(StandardCharsets.UTF_8)))));
      PinLaterDequeueResponse r = client.dequeueJobs(new PinLaterDequeueRequest("roundtrip", 5));
      assertEquals(ds.get(0), r.getJobs().keySet().iterator().next());
      PinLaterJobInfo claimed = Live.lookup(client, ds.get(0));
      assertEquals(PinLaterJobState.IN_PROGRESS, claimed.getJobState());
      assertEquals(TestServer.CONTEXT.getSource(), claimed.getClaimDescriptor(), "the configured source is the claimant");
      client.ackDequeuedJobs(new PinLaterJobAckRequest("roundtrip").setJobsSucceeded(List.of(new PinLaterJobAckInfo(ds.get(0)))));
      assertEquals(PinLaterJobState.SUCCEEDED, Live.lookup(client, ds.get(0)).getJobState());
    }
  }

  @Test
  void requestsAreLoadBalancedOverEveryServer() {
    try (TestServer other = TestServer.start(Clock.systemUTC(), Map.of());
         HourglassClient client = HourglassClient.connect(
             ClientConfig.of("127.0.0.1:" + server.port() + ",127.0.0.1:" + other.port()))) {
      long before = calls(server);
      for (int i = 0; i < 200; i++) {
        client.getQueueNames();
      }
      long here = calls(server) - before;
      long there = calls(other);
      assertEquals(200, here + there);
      assertTrue(here > 0 && there > 0, "calls per server: " + here + " / " + there);
    }
  }

  private static long calls(TestServer s) {
    return s.server().metrics().rpcCount("getQueueNames");
  }

  @Test
  void serverErrorsArriveWithTheirErrorCode() {
    try (HourglassClient client = Live.connect(server)) {
      HourglassException e = assertThrows(HourglassException.class, () -> client.enqueueJobs(
          new PinLaterEnqueueRequest("no_such_queue", List.of(new PinLaterJob().setBody(new byte[] {1})))));
      assertEquals(Optional.of(ErrorCode.QUEUE_NOT_FOUND), e.errorCode());
      assertTrue(!e.isTransient());
    }
  }

  @Test
  void unreachableServerIsATransientFailureWithoutAnErrorCode() throws Exception {
    int deadPort;
    try (ServerSocket s = new ServerSocket(0)) {
      deadPort = s.getLocalPort();
    }
    ClientConfig config = ClientConfig.of("127.0.0.1:" + deadPort).withConnectTimeout(Duration.ofMillis(300))
        .withRequestTimeout(Duration.ofSeconds(2));
    try (HourglassClient client = HourglassClient.connect(config)) {
      HourglassException e = assertThrows(HourglassException.class, client::getQueueNames);
      assertEquals(Optional.empty(), e.errorCode());
      assertTrue(e.isTransient());
      assertEquals("getQueueNames", e.rpc());
    }
  }
}
