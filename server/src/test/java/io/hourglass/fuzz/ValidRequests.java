package io.hourglass.fuzz;

import io.hourglass.thrift.PinLater;
import io.hourglass.thrift.PinLaterCheckpointJobRequest;
import io.hourglass.thrift.PinLaterCheckpointJobsRequest;
import io.hourglass.thrift.PinLaterDeleteJobsRequest;
import io.hourglass.thrift.PinLaterDequeueRequest;
import io.hourglass.thrift.PinLaterEnqueueRequest;
import io.hourglass.thrift.PinLaterGetJobCountRequest;
import io.hourglass.thrift.PinLaterJob;
import io.hourglass.thrift.PinLaterJobAckInfo;
import io.hourglass.thrift.PinLaterJobAckRequest;
import io.hourglass.thrift.PinLaterJobState;
import io.hourglass.thrift.PinLaterLookupJobRequest;
import io.hourglass.thrift.PinLaterRetryFailedJobsRequest;
import io.hourglass.thrift.PinLaterScanJobsRequest;
import io.hourglass.thrift.RequestContext;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.thrift.TException;
import org.apache.thrift.protocol.TBinaryProtocol;
import org.apache.thrift.transport.TMemoryBuffer;

/**
 * One real encoded call of every RPC (message header + args struct, no frame prefix), as the
 * generated Apache Thrift client writes it, on the fuzzer's own queue {@link #QUEUE}. Mutations of
 * them cannot name the normal client's queue (a single edit cannot turn one name into the other),
 * and createQueue's name carries four characters a queue name may not hold, so no mutation creates
 * a queue.
 */
final class ValidRequests {
  static final String QUEUE = "fz";
  static final RequestContext CONTEXT = new RequestContext().setSource("fuzzer").setRequestId("r1");

  private ValidRequests() {}

  /** Every RPC's encoded call. */
  static List<byte[]> all() {
    List<byte[]> out = new ArrayList<>();
    String d1 = QUEUE + ":s1:p1:1";
    String d2 = QUEUE + ":s2:p2:77";
    ByteBuffer body = ByteBuffer.wrap("fuzz body".getBytes(StandardCharsets.UTF_8));
    PinLaterJobAckRequest ack = new PinLaterJobAckRequest(QUEUE)
        .setJobsSucceeded(List.of(new PinLaterJobAckInfo(d1).setAppendCustomStatus("ok")))
        .setJobsFailed(List.of(new PinLaterJobAckInfo(d2).setRetryDelayMillis(1000)));
    out.add(encode(c -> c.send_createQueue(CONTEXT, "fz!-.~")));
    out.add(encode(c -> c.send_deleteQueue(CONTEXT, QUEUE, "not the password")));
    out.add(encode(c -> c.send_enqueueJobs(CONTEXT, new PinLaterEnqueueRequest(QUEUE, List.of(
        new PinLaterJob(body).setPriority((byte) 1).setNumAttemptsAllowed(2).setCustomStatus("s"),
        new PinLaterJob(ByteBuffer.wrap(new byte[] {0, 1, 2})).setRunAfterTimestampMillis(1)
            .setPriority((byte) 2))))));
    out.add(encode(c -> c.send_dequeueJobs(CONTEXT, new PinLaterDequeueRequest(QUEUE, 2)
        .setJobAckRequest(ack).setDryRun(false).setCoverage(1.0))));
    out.add(encode(c -> c.send_ackDequeuedJobs(CONTEXT, ack)));
    out.add(encode(c -> c.send_checkpointJobs(CONTEXT, new PinLaterCheckpointJobsRequest(QUEUE, List.of(
        new PinLaterCheckpointJobRequest(d1).setNewBody("new").setMoveToPending(true)
            .setRunAfterTimestampMillis(5).setNumOfAttemptsAllowed(3).setPrependCustomStatus("p"))))));
    out.add(encode(c -> c.send_lookupJobs(CONTEXT, new PinLaterLookupJobRequest(List.of(d1, d2))
        .setIncludeBody(true))));
    out.add(encode(c -> c.send_getJobCount(CONTEXT, new PinLaterGetJobCountRequest(QUEUE, PinLaterJobState.PENDING)
        .setPriority((byte) 1).setCountFutureJobs(true))));
    out.add(encode(c -> c.send_getQueueNames(CONTEXT)));
    out.add(encode(c -> c.send_scanJobs(CONTEXT, new PinLaterScanJobsRequest(QUEUE, PinLaterJobState.FAILED)
        .setPriority((byte) 1).setLimit(10))));
    out.add(encode(c -> c.send_retryFailedJobs(CONTEXT, new PinLaterRetryFailedJobsRequest(QUEUE)
        .setPriority((byte) 1).setAttemptsToAllow(1).setLimit(10))));
    out.add(encode(c -> c.send_deleteJobs(CONTEXT, new PinLaterDeleteJobsRequest(QUEUE, PinLaterJobState.SUCCEEDED)
        .setPriority((byte) 2).setLimit(10))));
    return out;
  }

  private interface Call {
    void send(PinLater.Client client) throws TException;
  }

  private static byte[] encode(Call call) {
    try {
      TMemoryBuffer buffer = new TMemoryBuffer(256);
      call.send(new PinLater.Client(new TBinaryProtocol(buffer)));
      return Arrays.copyOf(buffer.getArray(), buffer.length());
    } catch (TException e) {
      throw new IllegalStateException(e);
    }
  }
}
