package io.hourglass.server;

import static io.hourglass.server.Jobs.dequeue;
import static io.hourglass.server.Jobs.enqueue;
import static io.hourglass.server.Jobs.job;
import static io.hourglass.server.Jobs.lookup;
import static io.hourglass.testing.TestServer.CONTEXT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hourglass.testing.MutableClock;
import io.hourglass.testing.TestServer;
import io.hourglass.thrift.ErrorCode;
import io.hourglass.thrift.PinLater;
import io.hourglass.thrift.PinLaterCheckpointJobRequest;
import io.hourglass.thrift.PinLaterCheckpointJobsRequest;
import io.hourglass.thrift.PinLaterDequeueResponse;
import io.hourglass.thrift.PinLaterEnqueueRequest;
import io.hourglass.thrift.PinLaterException;
import io.hourglass.thrift.PinLaterJob;
import io.hourglass.thrift.PinLaterJobAckInfo;
import io.hourglass.thrift.PinLaterJobAckRequest;
import io.hourglass.thrift.PinLaterJobInfo;
import io.hourglass.thrift.PinLaterJobState;
import io.hourglass.thrift.PinLaterLookupJobRequest;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.thrift.protocol.TBinaryProtocol;
import org.apache.thrift.transport.layered.TFramedTransport;
import org.apache.thrift.transport.TSocket;
import org.apache.thrift.transport.TTransport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The edges of what a request may carry, through a real server on shards with MariaDB's default
 * max_allowed_packet (16 MiB; scripts/local-shards does not change it): the largest bodies, the
 * largest delays, 4-byte characters in custom status, descriptors no dequeue here can have made.
 */
class InputLimitsTest {
  static final String QUEUE = "input_limits";
  static final String EMOJI = "\uD83D\uDE00"; // one code point, two UTF-16 units, four UTF-8 bytes
  static final int MIB = 1024 * 1024;
  static TestServer server;
  static final String BATCH_QUEUE = "input_limits_batch";
  static PinLater.Client client;
  static TTransport transport;

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.start(MutableClock.startingNow(), Map.of());
    // Apache Thrift's client refuses frames over 16,384,000 bytes by default: a 16 MiB body is more.
    TTransport t = new TFramedTransport(new TSocket("127.0.0.1", server.port(), 60_000), 64 * MIB);
    t.open();
    transport = t;
    client = new PinLater.Client(new TBinaryProtocol(t));
    client.createQueue(CONTEXT, QUEUE);
    client.createQueue(CONTEXT, BATCH_QUEUE);
  }

  @AfterAll
  static void stop() {
    transport.close();
    server.close();
  }

  private static void drain() throws Exception {
    PinLaterDequeueResponse r;
    do {
      r = dequeue(client, QUEUE, 1);
      Jobs.ackSucceeded(client, QUEUE, List.copyOf(r.getJobs().keySet()));
    } while (!r.getJobs().isEmpty());
  }

  private static byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    new Random(n).nextBytes(b);
    return b;
  }

  /** The one place that knows how the generated stubs expose a binary field. */
  private static byte[] bodyOf(PinLaterJobInfo info) {
    return Jobs.bytes(info.bufferForBody());
  }

  private static void assertStoredAndDelivered(int size) throws Exception {
    drain();
    byte[] body = randomBytes(size);
    String d = enqueue(client, QUEUE, new PinLaterJob().setBody(body).setPriority((byte) 1)).get(0);
    PinLaterDequeueResponse r = dequeue(client, QUEUE, 1);
    assertEquals(List.of(d), List.copyOf(r.getJobs().keySet()));
    assertArrayEquals(body, Jobs.bytes(r.getJobs().get(d)), size + "-byte body came back changed");
    assertArrayEquals(body, bodyOf(lookup(client, d)));
    Jobs.ackSucceeded(client, QUEUE, List.of(d));
  }

  @Test
  void an8MiBBodyIsStoredAndDelivered() throws Exception {
    assertStoredAndDelivered(8 * MIB);
  }

  @Test
  void aBodyOfTheDocumentedMaximumIsStoredAndDelivered() throws Exception {
    assertStoredAndDelivered(16 * MIB - 1);
  }

  @Test
  void aCheckpointCanReplaceTheBodyWithALargeOne() throws Exception {
    drain();
    String d = enqueue(client, QUEUE, job("small", 1), job("other", 1)).get(0);
    PinLaterDequeueResponse r = dequeue(client, QUEUE, 2);
    String other = r.getJobs().keySet().stream().filter(x -> !x.equals(d)).findFirst().orElseThrow();
    String big = "b".repeat(12 * MIB);
    client.checkpointJobs(CONTEXT, new PinLaterCheckpointJobsRequest(QUEUE, List.of(
        new PinLaterCheckpointJobRequest(d).setNewBody(big),
        new PinLaterCheckpointJobRequest(other).setNewBody("small again"))));
    assertEquals(big, new String(bodyOf(lookup(client, d)), java.nio.charset.StandardCharsets.UTF_8));
    assertEquals("small again", new String(bodyOf(lookup(client, other)), java.nio.charset.StandardCharsets.UTF_8));
    Jobs.ackSucceeded(client, QUEUE, List.of(d, other));
  }

  @Test
  void aBodyOverTheMaximumIsRejectedNamingTheField() throws Exception {
    PinLaterException e = assertThrows(PinLaterException.class, () -> enqueue(client, QUEUE,
        job("small", 1), new PinLaterJob().setBody(new byte[16 * MIB]).setPriority((byte) 1)));
    assertEquals(ErrorCode.CONTINUATION_INVALID, e.getErrorCode());
    assertTrue(e.getMessage().startsWith("jobs[1].body"), e.getMessage());
  }

  @Test
  void theLargestRetryDelayPutsTheJobOffForeverInsteadOfRunningItAtOnce() throws Exception {
    drain();
    String d = enqueue(client, QUEUE, job("later", 1)).get(0);
    assertEquals(1, dequeue(client, QUEUE, 1).getJobs().size());
    Jobs.ackFailed(client, QUEUE, List.of(d), Long.MAX_VALUE);
    PinLaterJobInfo info = lookup(client, d);
    assertEquals(PinLaterJobState.PENDING, info.getJobState());
    assertEquals(Long.MAX_VALUE, info.getRunAfterTimestampMillis());
    assertTrue(dequeue(client, QUEUE, 10).getJobs().isEmpty(), "the job ran again at once");
  }

  @Test
  void customStatusIsTruncatedTo1000CodePointsAndKeepsFourByteCharacters() throws Exception {
    String emoji = EMOJI.repeat(1001);
    String d = enqueue(client, QUEUE, job("status", 1).setCustomStatus(emoji)).get(0);
    assertEquals(EMOJI.repeat(1000), lookup(client, d).getCustomStatus());
    // A cut at 1000 UTF-16 units would fall inside a surrogate pair (stored as '?').
    String odd = "a" + EMOJI.repeat(1000);
    d = enqueue(client, QUEUE, job("status", 1).setCustomStatus(odd)).get(0);
    assertEquals("a" + EMOJI.repeat(999), lookup(client, d).getCustomStatus());
  }

  @Test
  void customStatusAppendedByAnAckCountsCodePointsToo() throws Exception {
    drain();
    String d = enqueue(client, QUEUE, job("status", 1).setCustomStatus(EMOJI.repeat(600))).get(0);
    dequeue(client, QUEUE, 1);
    client.ackDequeuedJobs(CONTEXT, new PinLaterJobAckRequest(QUEUE)
        .setJobsSucceeded(List.of(new PinLaterJobAckInfo(d).setAppendCustomStatus("x" + EMOJI.repeat(1000)))));
    assertEquals(EMOJI.repeat(600) + "x" + EMOJI.repeat(399), lookup(client, d).getCustomStatus());
  }

  private static void assertBadDescriptor(String field, Executable call) {
    PinLaterException e = assertThrows(PinLaterException.class, call);
    assertEquals(ErrorCode.CONTINUATION_INVALID, e.getErrorCode(), e.getMessage());
    assertTrue(e.getMessage().startsWith(field + ": "), e.getMessage());
  }

  @Test
  void descriptorsNamingAnUnconfiguredShardOrAPriorityOutsideTheLevelsAreRejected() {
    for (String bad : List.of(QUEUE + ":s9:p1:1", QUEUE + ":s1:p4:1", QUEUE + ":s1:p0:1", QUEUE + ":s0:p1:1")) {
      assertBadDescriptor("jobsSucceeded[0].jobDescriptor", () -> client.ackDequeuedJobs(CONTEXT,
          new PinLaterJobAckRequest(QUEUE).setJobsSucceeded(List.of(new PinLaterJobAckInfo(bad)))));
      assertBadDescriptor("jobsFailed[0].jobDescriptor", () -> client.ackDequeuedJobs(CONTEXT,
          new PinLaterJobAckRequest(QUEUE).setJobsFailed(List.of(new PinLaterJobAckInfo(bad)))));
      assertBadDescriptor("requests[0].jobDescriptor", () -> client.checkpointJobs(CONTEXT,
          new PinLaterCheckpointJobsRequest(QUEUE, List.of(new PinLaterCheckpointJobRequest(bad)))));
      assertBadDescriptor("jobDescriptors[1]", () -> client.lookupJobs(CONTEXT,
          new PinLaterLookupJobRequest(List.of(QUEUE + ":s1:p1:1", bad))));
    }
  }

  @Test
  void enqueueRequestsKeepWorkingAfterLargeBodies() throws Exception {
    // A batch whose bodies together pass max_allowed_packet (and almost thrift.maxFrameBytes, 17 MiB).
    byte[] body = randomBytes(3 * MIB);
    List<PinLaterJob> jobs = List.of(
        new PinLaterJob().setBody(body).setPriority((byte) 2), new PinLaterJob().setBody(body).setPriority((byte) 2),
        new PinLaterJob().setBody(body).setPriority((byte) 2), new PinLaterJob().setBody(body).setPriority((byte) 2),
        new PinLaterJob().setBody(body).setPriority((byte) 2), new PinLaterJob().setBody(randomBytes(MIB)).setPriority((byte) 2));
    List<String> ds = client.enqueueJobs(CONTEXT, new PinLaterEnqueueRequest(BATCH_QUEUE, jobs)).getJobDescriptors();
    assertEquals(6, ds.size());
    ds = ds.subList(0, 5);
    for (String d : ds) {
      assertArrayEquals(body, bodyOf(lookup(client, d)));
    }
  }
}
