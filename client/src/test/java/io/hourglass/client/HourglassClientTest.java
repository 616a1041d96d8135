package io.hourglass.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hourglass.thrift.ErrorCode;
import io.hourglass.thrift.PinLaterEnqueueRequest;
import io.hourglass.thrift.PinLaterJob;
import io.hourglass.thrift.PinLaterLookupJobRequest;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class HourglassClientTest {
  private final FakePinLater fake = new FakePinLater("q");
  private final HourglassClient client = HourglassClient.over(fake, ClientConfig.of("127.0.0.1:1").withReadAttempts(3));

  @Test
  void idempotentReadIsRetriedOnATransientFailure() {
    fake.lookupFailuresLeft.set(2);
    assertEquals(0, client.lookupJobs(new PinLaterLookupJobRequest(List.of("q:s1:p1:1"))).size());
    assertEquals(3, fake.lookupCalls.get());
  }

  @Test
  void readGivesUpAfterTheConfiguredAttempts() {
    fake.lookupFailuresLeft.set(10);
    HourglassException e = assertThrows(HourglassException.class,
        () -> client.lookupJobs(new PinLaterLookupJobRequest(List.of("q:s1:p1:1"))));
    assertEquals(3, fake.lookupCalls.get());
    assertEquals(Optional.of(ErrorCode.SHARD_CONNECTION_FAILED), e.errorCode());
  }

  @Test
  void readFailingWithAClientErrorIsNotRetried() {
    fake.lookupFailuresLeft.set(10);
    fake.lookupError = ErrorCode.QUEUE_NOT_FOUND;
    HourglassException e = assertThrows(HourglassException.class,
        () -> client.lookupJobs(new PinLaterLookupJobRequest(List.of("q:s1:p1:1"))));
    assertEquals(1, fake.lookupCalls.get());
    assertFalse(e.isTransient());
  }

  @Test
  void enqueueIsNeverRetriedEvenOnATransientFailure() {
    fake.enqueueError = ErrorCode.SHARD_CONNECTION_FAILED;
    PinLaterEnqueueRequest request =
        new PinLaterEnqueueRequest("q", List.of(new PinLaterJob().setBody(ByteBuffer.wrap(new byte[] {1}))));
    HourglassException e = assertThrows(HourglassException.class, () -> client.enqueueJobs(request));
    assertEquals(1, fake.enqueueCalls.get());
    assertTrue(e.isTransient());
    assertEquals("enqueueJobs", e.rpc());
    assertTrue(e.getMessage().startsWith("enqueueJobs: SHARD_CONNECTION_FAILED: "), e.getMessage());
  }

  @Test
  void failureWithoutAnErrorCodeCountsAsTransient() {
    HourglassException e = HourglassClient.translate("dequeueJobs", new java.io.IOException("connection reset"));
    assertEquals(Optional.empty(), e.errorCode());
    assertTrue(e.isTransient());
  }

  @Test
  void rateLimitedDequeueCountsAsTransient() {
    assertTrue(new HourglassException("dequeueJobs", ErrorCode.DEQUEUE_RATE_LIMITED, "slow down", null).isTransient());
    assertFalse(new HourglassException("dequeueJobs", ErrorCode.QUEUE_NOT_FOUND, "gone", null).isTransient());
  }
}
