package io.hourglass.server;

import static io.hourglass.server.Jobs.enqueue;
import static io.hourglass.server.Jobs.job;
import static io.hourglass.testing.TestServer.CONTEXT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hourglass.testing.MutableClock;
import io.hourglass.testing.TestServer;
import io.hourglass.thrift.ErrorCode;
import io.hourglass.thrift.PinLater;
import io.hourglass.thrift.PinLaterDequeueRequest;
import io.hourglass.thrift.PinLaterException;
import io.hourglass.thrift.PinLaterJobAckInfo;
import io.hourglass.thrift.PinLaterJobAckRequest;
import io.hourglass.thrift.PinLaterLookupJobRequest;
import java.util.List;
import org.apache.thrift.protocol.TBinaryProtocol;
import org.apache.thrift.protocol.TField;
import org.apache.thrift.protocol.TList;
import org.apache.thrift.protocol.TMessage;
import org.apache.thrift.protocol.TMessageType;
import org.apache.thrift.protocol.TStruct;
import org.apache.thrift.protocol.TType;
import org.apache.thrift.transport.layered.TFramedTransport;
import org.apache.thrift.transport.TSocket;
import org.apache.thrift.transport.TTransport;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Every bad input gets a PinLaterException with the right code and the field's name, and the
 * connection keeps working afterwards. */
class BadInputTest {
  static final String QUEUE = "bad_input";
  static TestServer server;
  PinLater.Client client;

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.start(MutableClock.startingNow(), Map.of());
    server.client().createQueue(CONTEXT, QUEUE);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @BeforeEach
  void connect() {
    client = server.client();
  }

  private void assertRejected(ErrorCode code, String field, Executable call) throws Exception {
    PinLaterException e = assertThrows(PinLaterException.class, call);
    assertEquals(code, e.getErrorCode(), e.getMessage());
    assertTrue(e.getMessage().contains(field), "message names " + field + ": " + e.getMessage());
    // The same connection still serves requests after the error.
    assertTrue(client.getQueueNames(CONTEXT).contains(QUEUE));
  }

  @Test
  void queueNameWithIllegalCharactersIsInvalid() throws Exception {
    assertRejected(ErrorCode.QUEUE_NAME_INVALID, "queueName", () -> client.createQueue(CONTEXT, "emails; DROP TABLE x"));
    assertRejected(ErrorCode.QUEUE_NAME_INVALID, "queueName", () -> client.createQueue(CONTEXT, "a:b"));
    assertRejected(ErrorCode.QUEUE_NAME_INVALID, "queueName", () -> client.createQueue(CONTEXT, ""));
  }

  @Test
  void queueNameLongerThanSixtyCharactersIsTooLong() throws Exception {
    assertRejected(ErrorCode.QUEUE_NAME_TOO_LONG, "queueName", () -> client.createQueue(CONTEXT, "q".repeat(61)));
    client.createQueue(CONTEXT, "q".repeat(60));
  }

  @Test
  void unknownQueueIsNotFoundForEnqueueAndDequeue() throws Exception {
    assertRejected(ErrorCode.QUEUE_NOT_FOUND, "no_such_queue", () -> enqueue(client, "no_such_queue", job("x", 1)));
    assertRejected(ErrorCode.QUEUE_NOT_FOUND, "no_such_queue",
        () -> client.dequeueJobs(CONTEXT, new PinLaterDequeueRequest("no_such_queue", 5)));
  }

  @Test
  void priorityOutsideConfiguredLevelsIsNotSupported() throws Exception {
    assertRejected(ErrorCode.PRIORITY_NOT_SUPPORTED, "jobs[0].priority", () -> enqueue(client, QUEUE, job("x", 0)));
    assertRejected(ErrorCode.PRIORITY_NOT_SUPPORTED, "jobs[1].priority",
        () -> enqueue(client, QUEUE, job("x", 1), job("y", 4)));
  }

  @Test
  void rejectedEnqueueStoresNothing() throws Exception {
    assertRejected(ErrorCode.PRIORITY_NOT_SUPPORTED, "jobs[1].priority",
        () -> enqueue(client, QUEUE, job("valid", 1), job("invalid", 9)));
    assertTrue(client.dequeueJobs(CONTEXT, new PinLaterDequeueRequest(QUEUE, 100)).getJobs().values().stream()
        .noneMatch(b -> Jobs.body(b).equals("valid")));
  }

  @Test
  void nonPositiveDequeueLimitIsRejected() throws Exception {
    assertRejected(ErrorCode.CONTINUATION_INVALID, "limit",
        () -> client.dequeueJobs(CONTEXT, new PinLaterDequeueRequest(QUEUE, 0)));
    assertRejected(ErrorCode.CONTINUATION_INVALID, "limit",
        () -> client.dequeueJobs(CONTEXT, new PinLaterDequeueRequest(QUEUE, -3)));
  }

  @Test
  void nonPositiveAttemptsAreRejectedAtEnqueue() throws Exception {
    assertRejected(ErrorCode.CONTINUATION_INVALID, "jobs[0].numAttemptsAllowed",
        () -> enqueue(client, QUEUE, job("x", 1).setNumAttemptsAllowed(0)));
    assertRejected(ErrorCode.CONTINUATION_INVALID, "jobs[0].numAttemptsAllowed",
        () -> enqueue(client, QUEUE, job("x", 1).setNumAttemptsAllowed(-1)));
  }

  /**
   * A client that skips validation (Python's generated code does) can send a job without its
   * required body; the answer is still a PinLaterException naming the field.
   */
  @Test
  void jobWithoutItsRequiredBodyIsRejectedNamingTheField() throws Exception {
    TTransport t = new TFramedTransport(new TSocket("127.0.0.1", server.port(), 10_000));
    t.open();
    try {
      TBinaryProtocol p = new TBinaryProtocol(t);
      p.writeMessageBegin(new TMessage("enqueueJobs", TMessageType.CALL, 0));
      p.writeStructBegin(new TStruct("enqueueJobs_args"));
      p.writeFieldBegin(new TField("context", TType.STRUCT, (short) 1));
      CONTEXT.write(p);
      p.writeFieldEnd();
      p.writeFieldBegin(new TField("request", TType.STRUCT, (short) 2));
      p.writeStructBegin(new TStruct("PinLaterEnqueueRequest"));
      p.writeFieldBegin(new TField("queueName", TType.STRING, (short) 1));
      p.writeString(QUEUE);
      p.writeFieldEnd();
      p.writeFieldBegin(new TField("jobs", TType.LIST, (short) 2));
      p.writeListBegin(new TList(TType.STRUCT, 1));
      p.writeStructBegin(new TStruct("PinLaterJob"));
      p.writeFieldBegin(new TField("priority", TType.BYTE, (short) 2));
      p.writeByte((byte) 1);
      p.writeFieldEnd();
      p.writeFieldStop();
      p.writeStructEnd();
      p.writeListEnd();
      p.writeFieldEnd();
      p.writeFieldStop();
      p.writeStructEnd();
      p.writeFieldEnd();
      p.writeFieldStop();
      p.writeStructEnd();
      p.writeMessageEnd();
      t.flush();
      PinLater.Client c = new PinLater.Client(p);
      PinLaterException e = assertThrows(PinLaterException.class, c::recv_enqueueJobs);
      assertEquals(ErrorCode.CONTINUATION_INVALID, e.getErrorCode());
      assertTrue(e.getMessage().contains("body"), e.getMessage());
    } finally {
      t.close();
    }
  }

  @Test
  void malformedDescriptorIsRejectedByAckAndLookup() throws Exception {
    assertRejected(ErrorCode.CONTINUATION_INVALID, "jobsSucceeded[0].jobDescriptor",
        () -> client.ackDequeuedJobs(CONTEXT, new PinLaterJobAckRequest(QUEUE)
            .setJobsSucceeded(List.of(new PinLaterJobAckInfo("bad_input:s1:1")))));
    assertRejected(ErrorCode.CONTINUATION_INVALID, "jobDescriptors[1]",
        () -> client.lookupJobs(CONTEXT, new PinLaterLookupJobRequest(List.of("bad_input:s1:p1:1", "nonsense"))));
  }

  @Test
  void ackForAnotherQueuesJobIsRejected() throws Exception {
    assertRejected(ErrorCode.CONTINUATION_INVALID, "jobsFailed[0].jobDescriptor",
        () -> client.ackDequeuedJobs(CONTEXT, new PinLaterJobAckRequest(QUEUE)
            .setJobsFailed(List.of(new PinLaterJobAckInfo("other_queue:s1:p1:5")))));
  }

  @Test
  void invalidPiggyBackedAckFailsTheDequeueBeforeClaimingAnything() throws Exception {
    enqueue(client, QUEUE, job("keep", 1));
    assertRejected(ErrorCode.CONTINUATION_INVALID, "jobAckRequest.jobsSucceeded[0].jobDescriptor",
        () -> client.dequeueJobs(CONTEXT, new PinLaterDequeueRequest(QUEUE, 10)
            .setJobAckRequest(new PinLaterJobAckRequest(QUEUE)
                .setJobsSucceeded(List.of(new PinLaterJobAckInfo("garbage"))))));
    assertTrue(client.dequeueJobs(CONTEXT, new PinLaterDequeueRequest(QUEUE, 100)).getJobs().values().stream()
        .anyMatch(b -> Jobs.body(b).equals("keep")), "job still pending");
  }
}
