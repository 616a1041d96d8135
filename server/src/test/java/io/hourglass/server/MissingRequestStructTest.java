package io.hourglass.server;

import static io.hourglass.testing.TestServer.CONTEXT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.hourglass.testing.MutableClock;
import io.hourglass.testing.TestServer;
import io.hourglass.thrift.ErrorCode;
import io.hourglass.thrift.PinLater;
import io.hourglass.thrift.PinLaterException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * D4: a struct argument left out — what the reference Python client sends for
 * {@code enqueueJobs(ctx, None)} — is CONTINUATION_INVALID naming the argument, for every RPC,
 * never a NullPointerException answered as UNKNOWN.
 */
class MissingRequestStructTest {
  static TestServer server;

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.start(MutableClock.startingNow(), Map.of());
    server.client().createQueue(CONTEXT, "absent_args");
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  /** The 9 RPCs with a request struct, called with it absent (the generated client skips nulls). */
  private static Map<String, Executable> withoutRequest(PinLater.Client c) {
    Map<String, Executable> calls = new LinkedHashMap<>();
    calls.put("enqueueJobs", () -> c.enqueueJobs(CONTEXT, null));
    calls.put("dequeueJobs", () -> c.dequeueJobs(CONTEXT, null));
    calls.put("ackDequeuedJobs", () -> c.ackDequeuedJobs(CONTEXT, null));
    calls.put("checkpointJobs", () -> c.checkpointJobs(CONTEXT, null));
    calls.put("lookupJobs", () -> c.lookupJobs(CONTEXT, null));
    calls.put("getJobCount", () -> c.getJobCount(CONTEXT, null));
    calls.put("scanJobs", () -> c.scanJobs(CONTEXT, null));
    calls.put("retryFailedJobs", () -> c.retryFailedJobs(CONTEXT, null));
    calls.put("deleteJobs", () -> c.deleteJobs(CONTEXT, null));
    return calls;
  }

  @Test
  void everyRpcWithItsRequestStructLeftOutIsContinuationInvalidNamingTheRequest() throws Exception {
    PinLater.Client client = server.client();
    Map<String, Executable> calls = withoutRequest(client);
    assertEquals(9, calls.size());
    for (Map.Entry<String, Executable> call : calls.entrySet()) {
      PinLaterException e = assertThrows(PinLaterException.class, call.getValue(), call.getKey());
      assertEquals(ErrorCode.CONTINUATION_INVALID, e.getErrorCode(), call.getKey() + ": " + e.getMessage());
      assertEquals("request is required", e.getMessage(), call.getKey());
    }
    // the connection is still in step: a normal call on it works
    assertEquals(true, client.getQueueNames(CONTEXT).contains("absent_args"));
  }

  @Test
  void everyRpcWithItsContextLeftOutIsContinuationInvalidNamingTheContext() throws Exception {
    PinLater.Client c = server.client();
    Map<String, Executable> calls = new LinkedHashMap<>();
    calls.put("createQueue", () -> c.createQueue(null, "absent_args"));
    calls.put("deleteQueue", () -> c.deleteQueue(null, "absent_args", "pw"));
    calls.put("getQueueNames", () -> c.getQueueNames(null));
    calls.put("enqueueJobs", () -> c.enqueueJobs(null, new io.hourglass.thrift.PinLaterEnqueueRequest(
        "absent_args", java.util.List.of())));
    for (Map.Entry<String, Executable> call : calls.entrySet()) {
      PinLaterException e = assertThrows(PinLaterException.class, call.getValue(), call.getKey());
      assertEquals(ErrorCode.CONTINUATION_INVALID, e.getErrorCode(), call.getKey() + ": " + e.getMessage());
      assertEquals("context is required", e.getMessage(), call.getKey());
    }
  }
}
