package io.hourglass.server;

import static io.hourglass.server.Jobs.ackFailed;
import static io.hourglass.server.Jobs.ackSucceeded;
import static io.hourglass.server.Jobs.dequeue;
import static io.hourglass.server.Jobs.enqueue;
import static io.hourglass.server.Jobs.job;
import static io.hourglass.server.Jobs.lookup;
import static io.hourglass.server.Jobs.priorityOf;
import static io.hourglass.server.Jobs.shardOf;
import static io.hourglass.testing.TestServer.CONTEXT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hourglass.testing.LocalShards;
import io.hourglass.testing.MutableClock;
import io.hourglass.testing.TestQueues;
import io.hourglass.testing.TestServer;
import io.hourglass.thrift.PinLater;
import io.hourglass.thrift.PinLaterDequeueMetadata;
import io.hourglass.thrift.PinLaterDequeueResponse;
import io.hourglass.thrift.PinLaterEnqueueRequest;
import io.hourglass.thrift.PinLaterJob;
import io.hourglass.thrift.PinLaterJobInfo;
import io.hourglass.thrift.PinLaterJobState;
import io.hourglass.thrift.PinLaterScanJobsRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/** The working core, end to end: real MariaDB shards, a real server, a plain Thrift client. */
class CoreQueueTest {
  static final MutableClock clock = MutableClock.startingNow();
  static TestServer server;
  PinLater.Client client;
  String queue;

  @BeforeAll
  static void startServer() {
    // Empty-slot cache off: these tests move the clock by hand.
    server = TestServer.start(clock, Map.of("dequeue.emptySlotCacheMillis", "0"));
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  @BeforeEach
  void newQueue(TestInfo info) throws Exception {
    client = server.client();
    queue = TestQueues.nameFor(info);
    client.createQueue(CONTEXT, queue);
  }

  @Test
  void createdQueueIsListedAndCreateIsIdempotent() throws Exception {
    client.createQueue(CONTEXT, queue);
    assertTrue(client.getQueueNames(CONTEXT).contains(queue));
  }

  @Test
  void enqueueReturnsOneDescriptorPerJobInOrder() throws Exception {
    List<String> ds = enqueue(client, queue, job("a", 1), job("b", 2), job("c", 3));
    assertEquals(3, ds.size());
    for (int i = 0; i < 3; i++) {
      assertTrue(ds.get(i).matches(queue + ":s\\d+:p" + (i + 1) + ":\\d+"), ds.get(i));
      assertEquals(String.valueOf((char) ('a' + i)), Jobs.body(lookup(client, ds.get(i)).body));
    }
  }

  @Test
  void enqueuesSpreadOverAllShards() throws Exception {
    Set<Integer> shards = new HashSet<>();
    for (int i = 0; i < 60; i++) {
      shards.add(shardOf(enqueue(client, queue, job("x" + i, 1)).get(0)));
    }
    assertEquals(LocalShards.COUNT, shards.size(), "shards used: " + shards);
  }

  @Test
  void dequeueHandsOutEveryShardsPriorityOneBeforeAnyPriorityTwo() throws Exception {
    // One request per job, so jobs of every priority land on every shard.
    for (int i = 0; i < 30; i++) {
      enqueue(client, queue, job("p3-" + i, 3));
      enqueue(client, queue, job("p2-" + i, 2));
      enqueue(client, queue, job("p1-" + i, 1));
    }
    List<Integer> order = new ArrayList<>();
    PinLaterDequeueResponse r;
    while (!(r = dequeue(client, queue, 7)).getJobs().isEmpty()) {
      List<Integer> batch = r.getJobs().keySet().stream().map(Jobs::priorityOf).sorted().toList();
      order.addAll(batch);
    }
    assertEquals(90, order.size());
    for (int i = 1; i < order.size(); i++) {
      assertTrue(order.get(i - 1) <= order.get(i), "priority went back from " + order.get(i - 1) + " at " + i);
    }
  }

  @Test
  void withinAPriorityTheEarliestRunAfterComesFirst() throws Exception {
    long now = clock.millis();
    List<String> ds = enqueue(client, queue,
        job("third", 1).setRunAfterTimestampMillis(now - 1000),
        job("first", 1).setRunAfterTimestampMillis(now - 3000),
        job("second", 1).setRunAfterTimestampMillis(now - 2000));
    List<String> got = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      got.add(Jobs.body(dequeue(client, queue, 1).getJobs().values().iterator().next()));
    }
    assertEquals(List.of("first", "second", "third"), got, "descriptors " + ds);
  }

  @Test
  void jobIsNotDequeuedBeforeItsRunAfter() throws Exception {
    String d = enqueue(client, queue, job("later", 1).setRunAfterTimestampMillis(clock.millis() + 60_000)).get(0);
    assertTrue(dequeue(client, queue, 10).getJobs().isEmpty());
    clock.advance(Duration.ofSeconds(61));
    assertEquals(Set.of(d), dequeue(client, queue, 10).getJobs().keySet());
  }

  @Test
  void successAckMovesTheJobToSucceeded() throws Exception {
    String d = enqueue(client, queue, job("x", 1)).get(0);
    PinLaterDequeueResponse r = dequeue(client, queue, 1);
    assertEquals(2, r.getJobMetadata().get(d).getAttemptsRemaining());
    PinLaterJobInfo claimed = lookup(client, d);
    assertEquals(PinLaterJobState.IN_PROGRESS, claimed.getJobState());
    assertEquals(CONTEXT.getSource(), claimed.getClaimDescriptor());
    ackSucceeded(client, queue, List.of(d));
    assertEquals(PinLaterJobState.SUCCEEDED, lookup(client, d).getJobState());
  }

  @Test
  void failureAckWithAttemptsLeftRetriesAfterTheDelay() throws Exception {
    String d = enqueue(client, queue, job("x", 2).setNumAttemptsAllowed(3)).get(0);
    assertEquals(Set.of(d), dequeue(client, queue, 1).getJobs().keySet());
    ackFailed(client, queue, List.of(d), 5_000);
    PinLaterJobInfo info = lookup(client, d);
    assertEquals(PinLaterJobState.PENDING, info.getJobState());
    assertEquals(2, info.getAttemptsRemaining());
    assertEquals(clock.millis() + 5_000, info.getRunAfterTimestampMillis());
    assertTrue(dequeue(client, queue, 1).getJobs().isEmpty(), "retried before its delay");
    clock.advance(Duration.ofMillis(5_000));
    assertEquals(Set.of(d), dequeue(client, queue, 1).getJobs().keySet());
  }

  /** PinLater's numbers: the running attempt counts as remaining; 1 marks the last attempt. */
  @Test
  void attemptsReadAsPinLatersFromEnqueueToTheLastFailure() throws Exception {
    String d = enqueue(client, queue, job("x", 1).setNumAttemptsAllowed(2)).get(0);
    PinLaterDequeueMetadata first = dequeue(client, queue, 1).getJobMetadata().get(d);
    assertEquals(2, first.getAttemptsAllowed());
    assertEquals(2, first.getAttemptsRemaining());
    assertAttempts(d, PinLaterJobState.IN_PROGRESS, 2);
    ackFailed(client, queue, List.of(d), 0);
    assertAttempts(d, PinLaterJobState.PENDING, 1);
    assertEquals(1, dequeue(client, queue, 1).getJobMetadata().get(d).getAttemptsRemaining(), "the last attempt");
    assertAttempts(d, PinLaterJobState.IN_PROGRESS, 1);
    ackFailed(client, queue, List.of(d), 0);
    assertAttempts(d, PinLaterJobState.FAILED, 0);
    assertTrue(dequeue(client, queue, 1).getJobs().isEmpty());
  }

  /** lookupJobs and scanJobs both report the state and attempts a PinLater client expects. */
  private void assertAttempts(String d, PinLaterJobState state, int remaining) throws Exception {
    PinLaterJobInfo looked = lookup(client, d);
    assertEquals(state, looked.getJobState());
    assertEquals(remaining, looked.getAttemptsRemaining(), "lookupJobs, " + state);
    PinLaterJobInfo scanned = client.scanJobs(CONTEXT, new PinLaterScanJobsRequest(queue, state)
        .setPriority((byte) 1)).getScannedJobs().get(0);
    assertEquals(d, scanned.getJobDescriptor());
    assertEquals(remaining, scanned.getAttemptsRemaining(), "scanJobs, " + state);
  }

  @Test
  void ackOfAJobNobodyDequeuedChangesNothing() throws Exception {
    String d = enqueue(client, queue, job("x", 1)).get(0);
    ackSucceeded(client, queue, List.of(d));
    ackFailed(client, queue, List.of(d), 0);
    PinLaterJobInfo info = lookup(client, d);
    assertEquals(PinLaterJobState.PENDING, info.getJobState());
    assertEquals(2, info.getAttemptsRemaining());
    assertEquals(Set.of(d), dequeue(client, queue, 1).getJobs().keySet());
  }

  @Test
  void lateAckFromAnEarlierClaimantDoesNotTouchTheCurrentClaim() throws Exception {
    String d = enqueue(client, queue, job("x", 1).setNumAttemptsAllowed(3)).get(0);
    client.dequeueJobs(new io.hourglass.thrift.RequestContext("worker-a"),
        new io.hourglass.thrift.PinLaterDequeueRequest(queue, 1));
    // worker-a's claim is given up (as claim-timeout rescue would) and worker-b claims the job.
    client.ackDequeuedJobs(new io.hourglass.thrift.RequestContext("worker-a"),
        new io.hourglass.thrift.PinLaterJobAckRequest(queue).setJobsFailed(Jobs.infos(List.of(d), 0)));
    client.dequeueJobs(new io.hourglass.thrift.RequestContext("worker-b"),
        new io.hourglass.thrift.PinLaterDequeueRequest(queue, 1));
    // worker-a's ack arrives again, late: it must not fail worker-b's attempt.
    client.ackDequeuedJobs(new io.hourglass.thrift.RequestContext("worker-a"),
        new io.hourglass.thrift.PinLaterJobAckRequest(queue).setJobsFailed(Jobs.infos(List.of(d), 0)));
    PinLaterJobInfo info = lookup(client, d);
    assertEquals(PinLaterJobState.IN_PROGRESS, info.getJobState());
    assertEquals("worker-b", info.getClaimDescriptor());
    assertEquals(2, info.getAttemptsRemaining(), "worker-a's failure took one of 3; worker-b runs the second");
  }

  @Test
  void secondAckOfASucceededJobChangesNothing() throws Exception {
    String d = enqueue(client, queue, job("x", 1)).get(0);
    dequeue(client, queue, 1);
    ackSucceeded(client, queue, List.of(d));
    ackFailed(client, queue, List.of(d), 0);
    assertEquals(PinLaterJobState.SUCCEEDED, lookup(client, d).getJobState());
  }

  @Test
  void lookupLeavesOutUnknownJobs() throws Exception {
    String d = enqueue(client, queue, job("x", 1)).get(0);
    String missing = queue + ":s1:p1:999999999";
    var found = client.lookupJobs(CONTEXT, new io.hourglass.thrift.PinLaterLookupJobRequest(List.of(d, missing)));
    assertEquals(Set.of(d), found.keySet());
    assertNull(found.get(d).body, "body only when asked for");
  }

  @Test
  void concurrentDequeuersNeverReceiveTheSameJob() throws Exception {
    int total = 600;
    for (int i = 0; i < total / 100; i++) {
      List<PinLaterJob> jobs = new ArrayList<>();
      for (int j = 0; j < 100; j++) {
        jobs.add(job("j" + i + "-" + j, 1 + j % 3));
      }
      client.enqueueJobs(CONTEXT, new PinLaterEnqueueRequest(queue, jobs));
    }
    Map<String, Integer> seen = new ConcurrentHashMap<>();
    AtomicInteger duplicates = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    List<Future<?>> futures = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      futures.add(pool.submit(() -> {
        PinLater.Client c = server.client();
        int emptyInARow = 0;
        while (emptyInARow < 3) {
          var jobs = dequeue(c, queue, 10).getJobs();
          emptyInARow = jobs.isEmpty() ? emptyInARow + 1 : 0;
          for (String d : jobs.keySet()) {
            if (seen.put(d, 1) != null) {
              duplicates.incrementAndGet();
            }
          }
        }
        return null;
      }));
    }
    for (Future<?> f : futures) {
      f.get();
    }
    pool.shutdown();
    assertEquals(0, duplicates.get());
    assertEquals(total, seen.size());
    assertFalse(seen.keySet().stream().anyMatch(d -> priorityOf(d) < 1));
  }
}
