package io.hourglass.chaos;

import io.hourglass.chaos.Records.Delivery;
import io.hourglass.client.HourglassClient;
import io.hourglass.client.HourglassException;
import io.hourglass.thrift.PinLaterDequeueMetadata;
import io.hourglass.thrift.PinLaterDequeueRequest;
import io.hourglass.thrift.PinLaterDequeueResponse;
import io.hourglass.thrift.PinLaterJobAckInfo;
import io.hourglass.thrift.PinLaterJobAckRequest;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A fault-suite worker (its own JVM, so it can be kill -9ed): dequeues, logs every hand-out with
 * the time the dequeue was sent and answered (the claim lies between), "works" a few ms, and
 * acks success piggy-backed on the next dequeue, resending acks the server reports unapplied or
 * that rode on a failed call (acks are idempotent).
 *
 * <p>It talks through {@link HourglassClient} rather than the {@code Worker} runtime because the
 * duplicate classification needs each hand-out's dequeue send and receive times, which the
 * runtime does not expose to a handler.
 */
public final class WorkerProcess {
  private WorkerProcess() {}

  public static void main(String[] argv) throws IOException, InterruptedException {
    LoadArgs args = LoadArgs.parse(argv);
    args.dieWithParent();
    int limit = args.getInt("limit");
    int workMillis = args.getInt("workMillis");
    Set<String> acks = new LinkedHashSet<>();
    long delivered = 0;
    long failures = 0;
    try (HourglassClient client = HourglassClient.connect(args.clientConfig());
         BufferedWriter log = args.openLog()) {
      while (!args.stopRequested()) {
        PinLaterDequeueRequest request = new PinLaterDequeueRequest(args.queue(), limit);
        List<String> sending = new ArrayList<>(acks);
        if (!sending.isEmpty()) {
          request.setJobAckRequest(ackRequest(args.queue(), sending));
        }
        long sent = System.currentTimeMillis();
        PinLaterDequeueResponse response;
        try {
          response = client.dequeueJobs(request);
        } catch (HourglassException e) {
          failures++;
          Thread.sleep(50);
          continue;
        }
        long received = System.currentTimeMillis();
        sending.forEach(acks::remove);
        if (response.getUnappliedAckDescriptors() != null) {
          acks.addAll(response.getUnappliedAckDescriptors());
        }
        Map<String, ByteBuffer> jobs = response.getJobs() == null ? Map.of() : response.getJobs();
        for (Map.Entry<String, ByteBuffer> job : jobs.entrySet()) {
          ByteBuffer b = job.getValue().duplicate();
          byte[] body = new byte[b.remaining()];
          b.get(body);
          PinLaterDequeueMetadata meta = response.getJobMetadata().get(job.getKey());
          int attempt = meta.getAttemptsAllowed() - meta.getAttemptsRemaining();
          String bodyId = JobBody.verify(body).orElse("-");
          log.write(new Delivery(job.getKey(), args.id(), sent, received, attempt, bodyId).line());
          log.newLine();
        }
        log.flush();
        delivered += jobs.size();
        acks.addAll(jobs.keySet());
        Thread.sleep(jobs.isEmpty() ? 50 : workMillis);
      }
      failures += flush(client, args.queue(), acks);
    }
    System.out.println("worker " + args.id() + ": " + delivered + " jobs delivered, " + failures + " failed RPCs");
  }

  /** Sends the last acks, retrying for a while: the suite stops workers only once the queue is drained. */
  private static int flush(HourglassClient client, String queue, Set<String> acks) throws InterruptedException {
    int failures = 0;
    long until = System.currentTimeMillis() + 15_000;
    while (!acks.isEmpty() && System.currentTimeMillis() < until) {
      try {
        client.ackDequeuedJobs(ackRequest(queue, new ArrayList<>(acks)));
        return failures;
      } catch (HourglassException e) {
        failures++;
        Thread.sleep(200);
      }
    }
    return failures;
  }

  private static PinLaterJobAckRequest ackRequest(String queue, List<String> descriptors) {
    List<PinLaterJobAckInfo> infos = new ArrayList<>(descriptors.size());
    descriptors.forEach(d -> infos.add(new PinLaterJobAckInfo(d)));
    return new PinLaterJobAckRequest(queue).setJobsSucceeded(infos);
  }
}
