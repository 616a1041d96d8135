package io.hourglass.chaos;

import io.hourglass.chaos.Records.Acked;
import io.hourglass.client.HourglassClient;
import io.hourglass.client.HourglassException;
import io.hourglass.thrift.PinLaterEnqueueRequest;
import io.hourglass.thrift.PinLaterJob;
import java.io.BufferedWriter;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A fault-suite enqueuer (its own JVM, so it can be killed): enqueues batches back to back and
 * logs every descriptor only after enqueueJobs returned it. A failed batch is never resent (its
 * jobs may or may not be stored); the next batch has new body ids.
 */
public final class EnqueuerProcess {
  private EnqueuerProcess() {}

  public static void main(String[] argv) throws IOException, InterruptedException {
    LoadArgs args = LoadArgs.parse(argv);
    args.dieWithParent();
    int batchSize = args.getInt("batch");
    int payload = args.getInt("payload");
    long seq = 0;
    long failures = 0;
    try (HourglassClient client = HourglassClient.connect(args.clientConfig());
         BufferedWriter log = args.openLog()) {
      while (!args.stopRequested()) {
        List<PinLaterJob> jobs = new ArrayList<>(batchSize);
        List<String> ids = new ArrayList<>(batchSize);
        for (int i = 0; i < batchSize; i++) {
          String bodyId = args.id() + "-" + (++seq);
          ids.add(bodyId);
          jobs.add(new PinLaterJob().setBody(JobBody.make(bodyId, payload)).setNumAttemptsAllowed(100));
        }
        long sent = System.currentTimeMillis();
        List<String> descriptors;
        try {
          descriptors = client.enqueueJobs(new PinLaterEnqueueRequest(args.queue(), jobs));
        } catch (HourglassException e) {
          failures++;
          Thread.sleep(50);
          continue;
        }
        long acked = System.currentTimeMillis();
        for (int i = 0; i < descriptors.size(); i++) {
          log.write(new Acked(descriptors.get(i), ids.get(i), sent, acked).line());
          log.newLine();
        }
        log.flush();
      }
    }
    System.out.println("enqueuer " + args.id() + ": " + seq + " jobs tried, " + failures + " failed RPCs");
  }
}
