package io.hourglass.bench;

import io.hourglass.thrift.PinLaterDequeueRequest;
import io.hourglass.thrift.PinLaterDequeueResponse;
import io.hourglass.thrift.PinLaterEnqueueRequest;
import io.hourglass.thrift.PinLaterJob;
import io.hourglass.thrift.PinLaterJobAckInfo;
import io.hourglass.thrift.PinLaterJobAckRequest;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The loads that go through the real server: one connection ({@link Rpc}) per simulated client,
 * each issuing one blocking RPC at a time.
 */
final class ServerLoads {
  /** Where the server is and how to talk to it. */
  record Target(String host, int port, Rpc.Kind client) {
    Rpc connect(String source) throws Exception {
      return client.connect(host, port, source);
    }
  }

  private ServerLoads() {}

  /** getQueueNames until stopped; a call counts as one. */
  static Loop.Factory queueNames(Target target) {
    return index -> new Loop() {
      private final Rpc rpc = target.connect("bench-floor-" + index);

      @Override
      public int runOnce(CellRunner.Context context) throws Exception {
        long t0 = System.nanoTime();
        rpc.queueNames();
        context.record(System.nanoTime() - t0);
        return 1;
      }

      @Override
      public void close() {
        rpc.close();
      }
    };
  }

  /** Enqueues {@code batch} jobs per call until stopped. */
  static Loop.Factory enqueue(Target target, String queue, int batch, byte[] body) {
    return index -> new Loop() {
      private final Rpc rpc = target.connect("bench-enqueue-" + index);
      private final PinLaterEnqueueRequest request = new PinLaterEnqueueRequest(queue, jobs(batch, body));

      @Override
      public int runOnce(CellRunner.Context context) throws Exception {
        long t0 = System.nanoTime();
        int n = rpc.enqueue(request);
        context.record(System.nanoTime() - t0);
        return n;
      }

      @Override
      public void close() {
        rpc.close();
      }
    };
  }

  /**
   * Dequeues {@code limit} jobs per call and success-acks them: piggy-backed on the next dequeue,
   * or (when {@code piggyback} is false) in an ackDequeuedJobs call of its own right after. The
   * latency recorded is the dequeue RPC's (with its piggy-backed acks). With {@code callsPerSecond}
   * above 0 each of the {@code clients} sends at most that many dequeues per second, on a fixed
   * schedule (a late call goes at once; a client that fell behind does not burst to catch up).
   * Client i's schedule starts i/clients of an interval late, so that together they send evenly
   * spaced calls, a steady load: with every schedule starting at once, all the clients' calls
   * of a tick arrived together, a burst every interval that queued each call behind the others.
   */
  static Loop.Factory dequeueAck(Target target, String queue, int limit, boolean piggyback, double callsPerSecond,
      int clients) {
    long intervalNanos = callsPerSecond > 0 ? (long) (1e9 / callsPerSecond) : 0;
    return index -> new Loop() {
      private final Rpc rpc = target.connect("bench-dequeue-" + index);
      private List<PinLaterJobAckInfo> pending = List.of();
      private long next = System.nanoTime() + intervalNanos * (index % clients) / clients;

      @Override
      public int runOnce(CellRunner.Context context) throws Exception {
        if (intervalNanos > 0) {
          long now = System.nanoTime();
          if (next > now) {
            java.util.concurrent.locks.LockSupport.parkNanos(next - now);
          }
          next = Math.max(next + intervalNanos, System.nanoTime() - intervalNanos);
        }
        PinLaterDequeueRequest request = new PinLaterDequeueRequest(queue, limit);
        if (!pending.isEmpty()) {
          request.setJobAckRequest(new PinLaterJobAckRequest(queue).setJobsSucceeded(pending));
        }
        long t0 = System.nanoTime();
        PinLaterDequeueResponse response = rpc.dequeue(request);
        context.record(System.nanoTime() - t0);
        Map<String, ByteBuffer> got = response.getJobs() == null ? Map.of() : response.getJobs();
        List<PinLaterJobAckInfo> acks = new ArrayList<>(got.size());
        for (String descriptor : got.keySet()) {
          acks.add(new PinLaterJobAckInfo(descriptor));
        }
        if (got.isEmpty()) {
          context.countEmpty();
        }
        if (piggyback) {
          pending = acks;
        } else {
          pending = List.of();
          if (!acks.isEmpty()) {
            rpc.ack(new PinLaterJobAckRequest(queue).setJobsSucceeded(acks));
          }
        }
        return got.size();
      }

      @Override
      public void close() throws Exception {
        try {
          if (!pending.isEmpty()) { // not measured: leaves the queue tidy
            rpc.ack(new PinLaterJobAckRequest(queue).setJobsSucceeded(pending));
          }
        } finally {
          rpc.close();
        }
      }
    };
  }

  /** Long-polling dequeues ({@code waitMillis}) on a queue that stays empty: the idle cost. */
  static Loop.Factory longPoll(Target target, String queue, int limit, int waitMillis) {
    return index -> new Loop() {
      private final Rpc rpc = target.connect("bench-idle-" + index);

      @Override
      public int runOnce(CellRunner.Context context) throws Exception {
        long t0 = System.nanoTime();
        PinLaterDequeueResponse r = rpc.dequeue(new PinLaterDequeueRequest(queue, limit).setWaitMillis(waitMillis));
        context.record(System.nanoTime() - t0);
        return r.getJobs() == null ? 0 : r.getJobs().size();
      }

      @Override
      public void close() {
        rpc.close();
      }
    };
  }

  /** Puts {@code total} jobs into the queue with {@code clients} parallel 100-job enqueues. */
  static void prefill(Target target, String queue, long total, int clients, byte[] body) throws InterruptedException {
    AtomicLong left = new AtomicLong(total);
    List<Thread> threads = new ArrayList<>();
    List<Exception> errors = new ArrayList<>();
    for (int i = 0; i < clients; i++) {
      int index = i;
      Thread t = new Thread(() -> {
        try (Rpc rpc = target.connect("bench-prefill-" + index)) {
          List<PinLaterJob> hundred = jobs(100, body);
          long n;
          while ((n = left.getAndAdd(-100)) > 0) {
            List<PinLaterJob> batch = n >= 100 ? hundred : hundred.subList(0, (int) n);
            rpc.enqueue(new PinLaterEnqueueRequest(queue, batch));
          }
        } catch (Exception e) {
          synchronized (errors) {
            errors.add(e);
          }
        }
      }, "bench-prefill-" + i);
      t.start();
      threads.add(t);
    }
    for (Thread t : threads) {
      t.join();
    }
    if (!errors.isEmpty()) {
      throw new IllegalStateException("bench: prefill of " + queue + " failed: " + errors.get(0), errors.get(0));
    }
  }

  static List<PinLaterJob> jobs(int n, byte[] body) {
    List<PinLaterJob> jobs = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      jobs.add(new PinLaterJob().setBody(ByteBuffer.wrap(body)));
    }
    return List.copyOf(jobs);
  }
}
