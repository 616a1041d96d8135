package io.hourglass.client.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hourglass.thrift.PinLaterJobAckInfo;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class AckBatcherTest {
  private final TestClock clock = new TestClock();
  private final AckBatcher batcher = new AckBatcher(3, Duration.ofMillis(200), clock);

  private static PinLaterJobAckInfo ack(String d) {
    return new PinLaterJobAckInfo(d);
  }

  @Test
  void drainTakesEverythingAndLeavesTheBufferEmpty() {
    batcher.add(ack("q:s1:p1:1"), true);
    batcher.add(ack("q:s1:p1:2"), false);
    AckBatch batch = batcher.drain();
    assertEquals(List.of(ack("q:s1:p1:1")), batch.succeeded());
    assertEquals(List.of(ack("q:s1:p1:2")), batch.failed());
    assertEquals(0, batcher.size());
    assertTrue(batcher.drain().isEmpty());
  }

  @Test
  void emptyBufferIsNeverDue() {
    clock.advance(Duration.ofHours(1));
    assertFalse(batcher.isDue());
  }

  @Test
  void bufferIsDueOnceFullWithoutWaitingForTheInterval() {
    batcher.add(ack("a"), true);
    batcher.add(ack("b"), true);
    assertFalse(batcher.isDue());
    batcher.add(ack("c"), false);
    assertTrue(batcher.isFull());
    assertTrue(batcher.isDue());
  }

  @Test
  void bufferIsDueWhenItsOldestAckReachesTheFlushInterval() {
    batcher.add(ack("a"), true);
    clock.advance(Duration.ofMillis(150));
    batcher.add(ack("b"), true);
    assertFalse(batcher.isDue());
    clock.advance(Duration.ofMillis(50));
    assertTrue(batcher.isDue(), "due by the age of the first ack, not the last");
  }

  @Test
  void drainingRestartsTheAgeOfTheBuffer() {
    batcher.add(ack("a"), true);
    clock.advance(Duration.ofMillis(300));
    batcher.drain();
    batcher.add(ack("b"), true);
    assertFalse(batcher.isDue());
  }

  @Test
  void putBackKeepsTheAcksAndTheirAgeSoTheyAreRetriedAtOnce() {
    batcher.add(ack("a"), true);
    clock.advance(Duration.ofMillis(250));
    AckBatch failedSend = batcher.drain();
    batcher.add(ack("b"), false);
    batcher.putBack(failedSend);
    assertTrue(batcher.isDue(), "the put-back ack is already older than the interval");
    AckBatch again = batcher.drain();
    assertEquals(List.of(ack("a")), again.succeeded());
    assertEquals(List.of(ack("b")), again.failed());
  }

  @Test
  void closedBatcherRefusesNewAcksButTakesBackUnsentOnes() {
    batcher.add(ack("a"), true);
    AckBatch unsent = batcher.drain();
    batcher.close();
    assertFalse(batcher.add(ack("b"), true));
    batcher.putBack(unsent);
    assertEquals(1, batcher.size());
  }

  @Test
  void batchBecomesAnAckRequestWithOnlyTheListsItHas() {
    batcher.add(ack("a"), true);
    var request = batcher.drain().toRequest("q");
    assertEquals("q", request.getQueueName());
    assertEquals(1, request.getJobsSucceededSize());
    assertFalse(request.isSetJobsFailed());
  }
}
