package io.hourglass.server;

import static io.hourglass.server.Jobs.dequeue;
import static io.hourglass.server.Jobs.enqueue;
import static io.hourglass.server.Jobs.job;
import static io.hourglass.testing.TestServer.CONTEXT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hourglass.testing.LocalShards;
import io.hourglass.testing.MutableClock;
import io.hourglass.testing.ShardFile;
import io.hourglass.testing.TestServer;
import io.hourglass.thrift.ErrorCode;
import io.hourglass.thrift.PinLater;
import io.hourglass.thrift.PinLaterEnqueueRequest;
import io.hourglass.thrift.PinLaterException;
import io.hourglass.thrift.PinLaterGetJobCountRequest;
import io.hourglass.thrift.PinLaterJob;
import io.hourglass.thrift.PinLaterJobState;
import io.hourglass.thrift.PinLaterScanJobsRequest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The regex denial of service of issue 10 (D2): a catastrophically backtracking
 * {@code bodyRegexToMatch} is stopped by the shard at {@code admin.statementTimeoutMillis}, the
 * caller hears why, the shard stays in rotation, and the request path keeps its connections.
 */
class RegexDosTest {
  static final String QUEUE = "regex_dos";
  static final String OTHER = "regex_dos_bystander";
  static final String EVIL = "(a+)+$";
  static final long ADMIN_LIMIT_MILLIS = 1000;
  static TestServer server;

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.start(MutableClock.startingNow(), Map.of(
        "admin.statementTimeoutMillis", String.valueOf(ADMIN_LIMIT_MILLIS),
        "pool.maxConnections", "10", "admin.maxConnections", "2"));
    PinLater.Client c = server.client();
    c.createQueue(CONTEXT, QUEUE);
    c.createQueue(CONTEXT, OTHER);
    List<PinLaterJob> jobs = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      jobs.add(job("a".repeat(28) + "!", 1));
    }
    c.enqueueJobs(CONTEXT, new PinLaterEnqueueRequest(QUEUE, jobs));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static PinLaterGetJobCountRequest evilCount() {
    return new PinLaterGetJobCountRequest(QUEUE, PinLaterJobState.PENDING).setBodyRegexToMatch(EVIL);
  }

  /** REGEXP statements running on any shard now, other than this query itself. */
  private static int regexpStatementsRunning() throws Exception {
    int n = 0;
    for (int port : LocalShards.get().ports()) {
      try (Connection c = DriverManager.getConnection("jdbc:mysql://127.0.0.1:" + port + "/", "root", "");
          Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM information_schema.PROCESSLIST "
              + "WHERE INFO LIKE '%REGEXP%' AND ID <> CONNECTION_ID()")) {
        rs.next();
        n += rs.getInt(1);
      }
    }
    return n;
  }

  private static void assertAllShardsHealthy() {
    ShardFile.shards(server).forEach((id, s) ->
        assertEquals("healthy", s.get("state").asText(), "shard " + id + " left rotation: " + s));
  }

  @Test
  void anExpensiveRegexIsStoppedAtTheAdminTimeLimitAndNamedInTheError() throws Exception {
    long start = System.nanoTime();
    PinLaterException e = assertThrows(PinLaterException.class,
        () -> server.client().getJobCount(CONTEXT, evilCount()));
    long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertEquals(ErrorCode.CONTINUATION_INVALID, e.getErrorCode(), e.getMessage());
    assertTrue(e.getMessage().startsWith("bodyRegexToMatch: too expensive"), e.getMessage());
    assertTrue(tookMillis < ADMIN_LIMIT_MILLIS + 4000, "answered after " + tookMillis + " ms");
    assertEquals(0, regexpStatementsRunning(), "the shard still runs the REGEXP statement");
    assertAllShardsHealthy();
  }

  @Test
  void scansAndDeletesWithAnExpensiveRegexAreStoppedToo() throws Exception {
    PinLater.Client c = server.client();
    PinLaterException scan = assertThrows(PinLaterException.class, () -> c.scanJobs(CONTEXT,
        new PinLaterScanJobsRequest(QUEUE, PinLaterJobState.PENDING).setBodyRegexToMatch(EVIL).setLimit(10)));
    assertTrue(scan.getMessage().startsWith("bodyRegexToMatch: too expensive"), scan.getMessage());
    PinLaterException delete = assertThrows(PinLaterException.class, () -> c.deleteJobs(CONTEXT,
        new io.hourglass.thrift.PinLaterDeleteJobsRequest(QUEUE, PinLaterJobState.PENDING)
            .setBodyRegexToMatch(EVIL).setPriority((byte) 1)));
    assertTrue(delete.getMessage().startsWith("bodyRegexToMatch: too expensive"), delete.getMessage());
    assertEquals(2000, c.getJobCount(CONTEXT, new PinLaterGetJobCountRequest(QUEUE, PinLaterJobState.PENDING)),
        "the stopped delete deleted nothing");
    assertAllShardsHealthy();
  }

  @Test
  void twelveExpensiveCountsAtOnceLeaveTheRequestPathItsConnections() throws Exception {
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicLong normalRpcs = new AtomicLong();
    AtomicLong slowestNanos = new AtomicLong();
    List<Exception> normalFailures = new CopyOnWriteArrayList<>();
    PinLater.Client bystander = server.client();
    Thread normal = new Thread(() -> {
      while (running.get()) {
        long t0 = System.nanoTime();
        try {
          enqueue(bystander, OTHER, job("x", 1));
          Jobs.ackSucceeded(bystander, OTHER, List.copyOf(dequeue(bystander, OTHER, 1).getJobs().keySet()));
          normalRpcs.addAndGet(3);
        } catch (Exception e) {
          normalFailures.add(e);
        }
        slowestNanos.accumulateAndGet(System.nanoTime() - t0, Math::max);
      }
    }, "bystander");
    normal.start();
    ExecutorService attackers = Executors.newFixedThreadPool(12);
    try {
      List<Future<Exception>> answers = new ArrayList<>();
      long start = System.nanoTime();
      for (int i = 0; i < 12; i++) {
        PinLater.Client c = server.client();
        answers.add(attackers.submit(() -> {
          try {
            c.getJobCount(CONTEXT, evilCount());
            return null;
          } catch (Exception e) {
            return e;
          }
        }));
      }
      for (Future<Exception> a : answers) {
        Exception e = a.get(60, TimeUnit.SECONDS);
        assertTrue(e instanceof PinLaterException, "an expensive count did not fail cleanly: " + e);
      }
      long allAnsweredMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      // 12 counts, 2 admin connections per shard, each stopped at 1 s, waiters giving up after
      // pool.connectTimeoutMillis: all answered in seconds, not in 12 x 30 s.
      assertTrue(allAnsweredMillis < 15_000, "12 expensive counts took " + allAnsweredMillis + " ms");
    } finally {
      running.set(false);
      normal.join(30_000);
      attackers.shutdownNow();
    }
    assertEquals(List.of(), normalFailures, "the normal client's requests failed");
    assertTrue(normalRpcs.get() > 0, "the normal client got nothing done");
    long slowestMillis = TimeUnit.NANOSECONDS.toMillis(slowestNanos.get());
    assertTrue(slowestMillis < 3000, "a normal enqueue+dequeue+ack took " + slowestMillis + " ms");
    assertEquals(0, regexpStatementsRunning(), "REGEXP statements still running on the shards");
    assertAllShardsHealthy();
  }
}
