package io.hourglass.client;

import io.hourglass.testing.TestServer;
import io.hourglass.thrift.PinLaterEnqueueRequest;
import io.hourglass.thrift.PinLaterJob;
import io.hourglass.thrift.PinLaterJobInfo;
import io.hourglass.thrift.PinLaterJobState;
import io.hourglass.thrift.PinLaterLookupJobRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Helpers for tests of the client against a live server. */
final class Live {
  private Live() {}

  static ClientConfig config(int port) {
    return ClientConfig.of("127.0.0.1:" + port).withSource(TestServer.CONTEXT.getSource());
  }

  static HourglassClient connect(TestServer server) {
    return HourglassClient.connect(config(server.port()));
  }

  /** Enqueues {@code n} jobs with bodies "job-0".. in requests of 500; returns their descriptors. */
  static List<String> enqueue(HourglassClient client, String queue, int n, int attemptsAllowed) {
    List<String> descriptors = new ArrayList<>();
    for (int from = 0; from < n; from += 500) {
      List<PinLaterJob> jobs = new ArrayList<>();
      for (int i = from; i < Math.min(n, from + 500); i++) {
        jobs.add(new PinLaterJob().setBody(("job-" + i).getBytes(StandardCharsets.UTF_8)).setNumAttemptsAllowed(attemptsAllowed));
      }
      descriptors.addAll(client.enqueueJobs(new PinLaterEnqueueRequest(queue, jobs)));
    }
    return descriptors;
  }

  static Map<String, PinLaterJobInfo> lookup(HourglassClient client, List<String> descriptors) {
    Map<String, PinLaterJobInfo> out = new HashMap<>();
    for (int from = 0; from < descriptors.size(); from += 1000) {
      List<String> chunk = descriptors.subList(from, Math.min(descriptors.size(), from + 1000));
      out.putAll(client.lookupJobs(new PinLaterLookupJobRequest(chunk)));
    }
    return out;
  }

  static PinLaterJobInfo lookup(HourglassClient client, String descriptor) {
    return lookup(client, List.of(descriptor)).get(descriptor);
  }

  /** How many of the jobs are in each state. */
  static Map<PinLaterJobState, Integer> states(HourglassClient client, List<String> descriptors) {
    Map<PinLaterJobState, Integer> out = new EnumMap<>(PinLaterJobState.class);
    lookup(client, descriptors).values().forEach(i -> out.merge(i.getJobState(), 1, Integer::sum));
    return out;
  }

  static void await(String what, Duration timeout, BooleanSupplier condition, Supplier<Object> state) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeout + " waiting for " + what + ": " + state.get());
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }
}
