package io.hourglass.server;

import static io.hourglass.testing.TestServer.CONTEXT;

import io.hourglass.thrift.PinLater;
import io.hourglass.thrift.PinLaterDequeueRequest;
import io.hourglass.thrift.PinLaterDequeueResponse;
import io.hourglass.thrift.PinLaterEnqueueRequest;
import io.hourglass.thrift.PinLaterJob;
import io.hourglass.thrift.PinLaterJobAckInfo;
import io.hourglass.thrift.PinLaterJobAckRequest;
import io.hourglass.thrift.PinLaterJobInfo;
import io.hourglass.thrift.PinLaterLookupJobRequest;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Small helpers over the plain Thrift client for tests. */
final class Jobs {
  private Jobs() {}

  static PinLaterJob job(String body, int priority) {
    return new PinLaterJob().setBody(body.getBytes(StandardCharsets.UTF_8)).setPriority((byte) priority);
  }

  static List<String> enqueue(PinLater.Client c, String queue, PinLaterJob... jobs) throws Exception {
    return c.enqueueJobs(CONTEXT, new PinLaterEnqueueRequest(queue, List.of(jobs))).getJobDescriptors();
  }

  static PinLaterDequeueResponse dequeue(PinLater.Client c, String queue, int limit) throws Exception {
    return c.dequeueJobs(CONTEXT, new PinLaterDequeueRequest(queue, limit));
  }

  static String body(ByteBuffer b) {
    return new String(bytes(b), StandardCharsets.UTF_8);
  }

  /** Copies a binary field; it may be a slice of a larger buffer. */
  static byte[] bytes(ByteBuffer b) {
    ByteBuffer d = b.duplicate();
    byte[] out = new byte[d.remaining()];
    d.get(out);
    return out;
  }

  static int priorityOf(String descriptor) {
    return Integer.parseInt(descriptor.split(":")[2].substring(1));
  }

  static int shardOf(String descriptor) {
    return Integer.parseInt(descriptor.split(":")[1].substring(1));
  }

  static void ackSucceeded(PinLater.Client c, String queue, List<String> descriptors) throws Exception {
    c.ackDequeuedJobs(CONTEXT, new PinLaterJobAckRequest(queue).setJobsSucceeded(infos(descriptors, 0)));
  }

  static void ackFailed(PinLater.Client c, String queue, List<String> descriptors, long retryDelayMillis)
      throws Exception {
    c.ackDequeuedJobs(CONTEXT, new PinLaterJobAckRequest(queue).setJobsFailed(infos(descriptors, retryDelayMillis)));
  }

  static List<PinLaterJobAckInfo> infos(List<String> descriptors, long retryDelayMillis) {
    List<PinLaterJobAckInfo> out = new ArrayList<>();
    for (String d : descriptors) {
      out.add(new PinLaterJobAckInfo(d).setRetryDelayMillis(retryDelayMillis));
    }
    return out;
  }

  static PinLaterJobInfo lookup(PinLater.Client c, String descriptor) throws Exception {
    Map<String, PinLaterJobInfo> m =
        c.lookupJobs(CONTEXT, new PinLaterLookupJobRequest(List.of(descriptor)).setIncludeBody(true));
    return m.get(descriptor);
  }
}
