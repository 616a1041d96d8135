package io.hourglass.fuzz;

import io.hourglass.client.ClientConfig;
import io.hourglass.client.HourglassClient;
import io.hourglass.thrift.PinLater;
import io.hourglass.thrift.PinLaterDequeueRequest;
import io.hourglass.thrift.PinLaterDequeueResponse;
import io.hourglass.thrift.PinLaterEnqueueRequest;
import io.hourglass.thrift.PinLaterJob;
import io.hourglass.thrift.PinLaterJobAckInfo;
import io.hourglass.thrift.PinLaterJobAckRequest;
import io.hourglass.thrift.RequestContext;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.thrift.protocol.TBinaryProtocol;
import org.apache.thrift.transport.TSocket;
import org.apache.thrift.transport.TTransport;
import org.apache.thrift.transport.layered.TFramedTransport;

/**
 * Well-behaved clients working on a queue of their own while the fuzzer runs: enqueue one job,
 * dequeue it, ack it, in a loop — one over a plain Apache Thrift client, one over the Java
 * {@link HourglassClient}. Every RPC that fails, and every dequeue that does not hand back the
 * job just enqueued, is a failure.
 */
final class NormalLoad implements AutoCloseable {
  private final String host;
  private final int port;
  private final AtomicBoolean stop = new AtomicBoolean();
  private final AtomicLong served = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
  private final List<Thread> threads;

  /** The queues the two clients use; they must exist. */
  static final String THRIFT_QUEUE = "normal_thrift";
  static final String JAVA_QUEUE = "normal_java";

  private final long pauseMillis;

  NormalLoad(String host, int port, int thriftClients) {
    this(host, port, thriftClients, 0);
  }

  /** {@code pauseMillis} between one client's cycles (0: as fast as the server answers). */
  NormalLoad(String host, int port, int thriftClients, long pauseMillis) {
    this.host = host;
    this.port = port;
    this.pauseMillis = pauseMillis;
    List<Thread> ts = new java.util.ArrayList<>();
    for (int i = 0; i < thriftClients; i++) {
      int n = i;
      ts.add(new Thread(() -> thriftLoop(n), "normal-thrift-" + i));
    }
    ts.add(new Thread(this::javaLoop, "normal-java"));
    this.threads = ts;
  }

  void start() {
    threads.forEach(Thread::start);
  }

  long served() {
    return served.get();
  }

  long failed() {
    return failed.get();
  }

  List<String> failures() {
    return List.copyOf(failures);
  }

  /** One enqueue → dequeue → ack cycle, as either client does it. */
  private interface Rpc {
    List<String> enqueue(PinLaterEnqueueRequest r) throws Exception;

    PinLaterDequeueResponse dequeue(PinLaterDequeueRequest r) throws Exception;

    void ack(PinLaterJobAckRequest r) throws Exception;
  }

  private void cycle(Rpc rpc, String queue, String body) throws Exception {
    rpc.enqueue(new PinLaterEnqueueRequest(queue,
        List.of(new PinLaterJob(ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8))))));
    served.incrementAndGet();
    PinLaterDequeueResponse d = rpc.dequeue(new PinLaterDequeueRequest(queue, 1));
    served.incrementAndGet();
    Map<String, ByteBuffer> jobs = d.getJobs() == null ? Map.of() : d.getJobs();
    if (jobs.size() != 1) {
      fail(queue + ": dequeue after an enqueue handed out " + jobs.size() + " jobs");
      return;
    }
    Map.Entry<String, ByteBuffer> job = jobs.entrySet().iterator().next();
    String got = StandardCharsets.UTF_8.decode(job.getValue().duplicate()).toString();
    if (!got.equals(body)) {
      fail(queue + ": dequeued body '" + got + "', enqueued '" + body + "'");
    }
    rpc.ack(new PinLaterJobAckRequest(queue).setJobsSucceeded(List.of(new PinLaterJobAckInfo(job.getKey()))));
    served.incrementAndGet();
    if (pauseMillis > 0) {
      Thread.sleep(pauseMillis);
    }
  }

  private void fail(String what) {
    failed.incrementAndGet();
    if (failures.size() < 20) {
      failures.add(what);
    }
  }

  private void thriftLoop(int n) {
    String queue = THRIFT_QUEUE + n;
    RequestContext ctx = new RequestContext().setSource("normal-thrift-" + n);
    long i = 0;
    while (!stop.get()) {
      TTransport t = null;
      try {
        t = new TFramedTransport(new TSocket(host, port, 30_000));
        t.open();
        PinLater.Client c = new PinLater.Client(new TBinaryProtocol(t));
        Rpc rpc = new Rpc() {
          public List<String> enqueue(PinLaterEnqueueRequest r) throws Exception {
            return c.enqueueJobs(ctx, r).getJobDescriptors();
          }

          public PinLaterDequeueResponse dequeue(PinLaterDequeueRequest r) throws Exception {
            return c.dequeueJobs(ctx, r);
          }

          public void ack(PinLaterJobAckRequest r) throws Exception {
            c.ackDequeuedJobs(ctx, r);
          }
        };
        while (!stop.get()) {
          cycle(rpc, queue, "thrift-" + n + "-" + i++);
        }
      } catch (Exception e) {
        fail(queue + ": " + e);
      } finally {
        if (t != null) {
          t.close();
        }
      }
    }
  }

  private void javaLoop() {
    long i = 0;
    try (HourglassClient c = HourglassClient.connect(ClientConfig.of(host + ":" + port)
        .withSource("normal-java").withRequestTimeout(Duration.ofSeconds(30)))) {
      Rpc rpc = new Rpc() {
        public List<String> enqueue(PinLaterEnqueueRequest r) {
          return c.enqueueJobs(r);
        }

        public PinLaterDequeueResponse dequeue(PinLaterDequeueRequest r) {
          return c.dequeueJobs(r);
        }

        public void ack(PinLaterJobAckRequest r) {
          c.ackDequeuedJobs(r);
        }
      };
      while (!stop.get()) {
        try {
          cycle(rpc, JAVA_QUEUE, "java-" + i++);
        } catch (Exception e) {
          fail(JAVA_QUEUE + ": " + e);
        }
      }
    }
  }

  /** Stops the loops after their current cycle. */
  @Override
  public void close() {
    stop.set(true);
    for (Thread t : threads) {
      try {
        t.join(60_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
