package io.hourglass.server;

import static io.hourglass.server.Jobs.enqueue;
import static io.hourglass.server.Jobs.job;
import static io.hourglass.testing.TestServer.CONTEXT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hourglass.testing.TestServer;
import io.hourglass.thrift.PinLater;
import io.hourglass.thrift.PinLaterDequeueRequest;
import io.hourglass.thrift.PinLaterDequeueResponse;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.thrift.protocol.TBinaryProtocol;
import org.apache.thrift.transport.layered.TFramedTransport;
import org.apache.thrift.transport.TSocket;
import org.apache.thrift.transport.TTransport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The waitMillis extension: dequeues that wait for work without holding a request thread. */
class LongPollTest {
  static final String DB = "hg_longpoll";
  static TestServer server;
  /** Same shards and database; re-checks every 100 ms. */
  static TestServer pollingServer;

  @BeforeAll
  static void start() throws Exception {
    // A poll interval longer than any wait here: only a wake-up can end a wait early.
    server = TestServer.start(Clock.systemUTC(), Map.of("dequeue.pollMillis", "60000", "server.threads", "2"), DB);
    pollingServer = TestServer.start(Clock.systemUTC(), Map.of("dequeue.pollMillis", "100"), DB);
    server.client().createQueue(CONTEXT, "lp");
  }

  @AfterAll
  static void stop() {
    server.close();
    pollingServer.close();
  }

  private static CompletableFuture<PinLaterDequeueResponse> waitingDequeue(TestServer s, int waitMillis) {
    return waitingDequeue(s, waitMillis, 5);
  }

  private static CompletableFuture<PinLaterDequeueResponse> waitingDequeue(TestServer s, int waitMillis, int limit) {
    PinLater.Client c = s.client();
    return CompletableFuture.supplyAsync(() -> {
      try {
        return c.dequeueJobs(CONTEXT, new PinLaterDequeueRequest("lp", limit).setWaitMillis(waitMillis));
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
  }

  @Test
  void aWaitingDequeueGetsAJobEnqueuedThroughTheSameServer() throws Exception {
    CompletableFuture<PinLaterDequeueResponse> waiting = waitingDequeue(server, 25_000);
    Thread.sleep(300); // let the dequeue find the queue empty and start waiting
    String d = enqueue(server.client(), "lp", job("wake", 1)).get(0);
    assertEquals(Set.of(d), waiting.get(30, TimeUnit.SECONDS).getJobs().keySet());
  }

  @Test
  void aWaitingDequeueFindsWorkAddedThroughAnotherServerByPolling() throws Exception {
    CompletableFuture<PinLaterDequeueResponse> waiting = waitingDequeue(pollingServer, 25_000);
    Thread.sleep(300);
    String d = enqueue(server.client(), "lp", job("other server", 2)).get(0);
    assertEquals(Set.of(d), waiting.get(30, TimeUnit.SECONDS).getJobs().keySet());
  }

  @Test
  void aWaitThatFindsNothingEndsEmpty() throws Exception {
    assertTrue(waitingDequeue(pollingServer, 300).get(30, TimeUnit.SECONDS).getJobs().isEmpty());
  }

  @Test
  void closingTheServerAnswersWaitingDequeuesEmpty() throws Exception {
    TestServer closing = TestServer.start(Clock.systemUTC(), Map.of("dequeue.pollMillis", "60000"), DB);
    // A connection of our own: TestServer.close() would cut the ones it handed out.
    TTransport t = new TFramedTransport(new TSocket("127.0.0.1", closing.port(), 30_000));
    t.open();
    try {
      PinLater.Client c = new PinLater.Client(new TBinaryProtocol(t));
      CompletableFuture<PinLaterDequeueResponse> waiting = CompletableFuture.supplyAsync(() -> {
        try {
          return c.dequeueJobs(CONTEXT, new PinLaterDequeueRequest("lp", 5).setWaitMillis(20_000));
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      Thread.sleep(300);
      CompletableFuture.runAsync(closing::close);
      assertTrue(waiting.get(30, TimeUnit.SECONDS).getJobs().isEmpty(), "answered, not cut off");
    } finally {
      t.close();
    }
  }

  @Test
  void waitingDequeuesDoNotHoldRequestThreads() throws Exception {
    // server.threads=2: if each waiting dequeue held a thread, this call would wait 20 s.
    List<CompletableFuture<PinLaterDequeueResponse>> waiting = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      waiting.add(waitingDequeue(server, 20_000, 1));
    }
    Thread.sleep(300);
    CompletableFuture<Set<String>> names = CompletableFuture.supplyAsync(() -> {
      try {
        return server.client().getQueueNames(CONTEXT);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    assertTrue(names.get(10, TimeUnit.SECONDS).contains("lp"));
    List<PinLaterDequeueResponse> done = new ArrayList<>();
    enqueue(server.client(), "lp", job("a", 1), job("b", 1), job("c", 1), job("d", 1));
    int got = 0;
    for (CompletableFuture<PinLaterDequeueResponse> w : waiting) {
      done.add(w.get(30, TimeUnit.SECONDS));
    }
    for (PinLaterDequeueResponse r : done) {
      got += r.getJobs().size();
    }
    assertEquals(4, got, "every job went to exactly one waiter");
  }
}
