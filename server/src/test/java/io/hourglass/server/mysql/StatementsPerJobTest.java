package io.hourglass.server.mysql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hourglass.server.config.PoolSettings;
import io.hourglass.server.config.ShardSpec;
import io.hourglass.server.queue.Ack;
import io.hourglass.server.queue.ClaimRequest;
import io.hourglass.server.queue.ClaimedJob;
import io.hourglass.server.queue.NewJob;
import io.hourglass.server.queue.QueueException;
import io.hourglass.server.queue.QueueName;
import io.hourglass.testing.LocalShards;
import io.hourglass.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the hot path sends to MariaDB, counted by its {@code Questions} status counter: every
 * statement a client sends. A shard's own background (other servers in this JVM) may add a few,
 * so each operation runs many times and the average is checked.
 */
class StatementsPerJobTest {
  static final int RUNS = 100;
  static final String ME = "statements-test";
  final MutableClock clock = MutableClock.startingNow();
  final QueueName queue = QueueName.of("statements");
  MySqlBackend backend;
  Connection probe;

  @BeforeEach
  void open() throws Exception {
    int port = LocalShards.get().port(1);
    ShardSpec spec = new ShardSpec(1, "127.0.0.1", port, "root", "", "hg_statements", false);
    backend = MySqlBackend.open(spec, new PoolSettings(4, Duration.ofSeconds(2), Duration.ofSeconds(30), 4), clock);
    backend.createQueue(queue);
    probe = DriverManager.getConnection("jdbc:mysql://127.0.0.1:" + port + "/", "root", "");
    backend.enqueue(queue, List.of(job())); // warm: schema checks, pool connections
    backend.claim(new ClaimRequest(queue, 1, 1, ME));
    Thread.sleep(1_000); // HikariCP opens its minimum idle connections (their set-up statements) now
  }

  @AfterEach
  void close() throws Exception {
    backend.deleteQueue(queue);
    backend.close();
    probe.close();
  }

  static NewJob job() {
    return new NewJob("x".getBytes(StandardCharsets.UTF_8), 1, 0, 2, "");
  }

  static List<NewJob> jobs(int n) {
    List<NewJob> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(job());
    }
    return out;
  }

  long questions() throws Exception {
    try (ResultSet rs = probe.createStatement().executeQuery("SHOW GLOBAL STATUS LIKE 'Questions'")) {
      rs.next();
      return rs.getLong(2);
    }
  }

  /** Statements per run of {@code op}, without this test's own probe. */
  double perRun(ThrowingRunnable op) throws Exception {
    long before = questions();
    for (int i = 0; i < RUNS; i++) {
      op.run();
    }
    double n = (questions() - before - 1) / (double) RUNS;
    System.out.println("statements per run: " + n);
    return n;
  }

  interface ThrowingRunnable {
    void run() throws Exception;
  }

  interface PerThread {
    void run(int thread) throws Exception;
  }

  /** Runs {@code body} on {@code threads} threads at once (each told its number) and waits for all. */
  static void inParallel(int threads, PerThread body) throws Exception {
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
    try {
      List<java.util.concurrent.Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        done.add(pool.submit(() -> {
          body.run(thread);
          return null;
        }));
      }
      for (java.util.concurrent.Future<?> f : done) {
        f.get(60, java.util.concurrent.TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aSingleJobEnqueueIsOneInsertInAutocommit() throws Exception {
    double n = perRun(() -> backend.enqueue(queue, List.of(job())));
    assertTrue(n < 1.3, "statements per single-job enqueue: " + n);
  }

  @Test
  void aBatchEnqueueIsOneMultiRowInsert() throws Exception {
    List<NewJob> hundred = jobs(100);
    double n = perRun(() -> assertEquals(100, backend.enqueue(queue, hundred).size()));
    assertTrue(n < 1.3, "statements per 100-job enqueue: " + n);
  }

  long status(String name) throws Exception {
    try (ResultSet rs = probe.createStatement().executeQuery("SHOW GLOBAL STATUS LIKE '" + name + "'")) {
      rs.next();
      return rs.getLong(2);
    }
  }

  @Test
  void aRepeatedBatchInsertIsPreparedOnTheShardOncePerConnectionAndItsRowsRoundTrip() throws Exception {
    List<NewJob> hundred = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      // bytes that text would have to escape, and a 4-byte character in the status
      hundred.add(new NewJob(new byte[] {0, '\\', '\'', (byte) i, (byte) 0xff}, 1 + i % 3, 0, 2, "st\uD83D\uDE00" + i));
    }
    long prepares = status("Com_stmt_prepare");
    long executes = status("Com_stmt_execute");
    List<io.hourglass.server.queue.JobDescriptor> last = null;
    for (int i = 0; i < RUNS; i++) {
      last = backend.enqueue(queue, hundred);
    }
    long prepared = status("Com_stmt_prepare") - prepares;
    assertTrue(prepared >= 1 && prepared <= 4, "server-side prepares for " + RUNS + " 100-job enqueues on a pool of 4: " + prepared);
    assertTrue(status("Com_stmt_execute") - executes >= RUNS, "the inserts ran as prepared statements");
    List<io.hourglass.server.queue.JobInfo> back = backend.lookup(queue,
        last.stream().map(io.hourglass.server.queue.JobDescriptor::localId).toList(), true);
    assertEquals(100, back.size());
    for (io.hourglass.server.queue.JobInfo info : back) {
      int i = last.indexOf(info.descriptor());
      assertTrue(java.util.Arrays.equals(hundred.get(i).body(), info.body()), "body of job " + i);
      assertEquals("st\uD83D\uDE00" + i, info.customStatus());
      assertEquals(1 + i % 3, info.descriptor().priority());
    }
  }

  @Test
  void aReusedInsertCarriesNoValueOverFromItsLastUse() throws Exception {
    // Rounds alternate keyed, expiring jobs and plain ones through the same cached 100-row INSERT:
    // the NULLs of a plain round replace the last round's keys and expiries.
    long expiry = clock.millis() + 3_600_000;
    java.util.Map<Long, NewJob> sent = new java.util.HashMap<>();
    for (int round = 0; round < 8; round++) {
      List<NewJob> jobs = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        NewJob plain = new NewJob(("r" + round + "/" + i).getBytes(StandardCharsets.UTF_8), 1 + i % 2, 0, 2,
            round % 2 == 0 ? "keyed " + i : "");
        jobs.add(round % 2 == 0 ? plain.withUniqueKey("k" + round + "/" + i).withExpiry(expiry + i) : plain);
      }
      List<io.hourglass.server.queue.JobDescriptor> ds = backend.enqueue(queue, jobs);
      for (int i = 0; i < 100; i++) {
        sent.put(ds.get(i).localId(), jobs.get(i));
      }
    }
    List<io.hourglass.server.queue.JobInfo> back = backend.lookup(queue, List.copyOf(sent.keySet()), true);
    assertEquals(800, back.size());
    for (io.hourglass.server.queue.JobInfo info : back) {
      NewJob job = sent.get(info.descriptor().localId());
      String what = "job " + new String(job.body(), StandardCharsets.UTF_8);
      assertEquals(new String(job.body(), StandardCharsets.UTF_8), new String(info.body(), StandardCharsets.UTF_8), what);
      assertEquals(job.uniqueKey(), info.uniqueKey(), what);
      assertEquals(job.expiresAtMillis(), info.expiresAtMillis(), what);
      assertEquals(job.customStatus(), info.customStatus(), what);
      assertEquals(job.priority(), info.descriptor().priority(), what);
    }
  }

  @Test
  void concurrentEnqueuesShareMultiRowInsertsAndEachGetsItsOwnJobs() throws Exception {
    int threads = 8;
    int perThread = 25;
    java.util.Map<io.hourglass.server.queue.JobDescriptor, String> stored = new java.util.concurrent.ConcurrentHashMap<>();
    long before = questions();
    inParallel(threads, thread -> {
      for (int i = 0; i < perThread; i++) {
        String a = thread + "/" + i + "/a";
        String b = thread + "/" + i + "/b";
        List<io.hourglass.server.queue.JobDescriptor> ds = backend.enqueue(queue, List.of(
            new NewJob(a.getBytes(StandardCharsets.UTF_8), 1, 0, 2, ""),
            new NewJob(b.getBytes(StandardCharsets.UTF_8), 2, 0, 2, "")));
        stored.put(ds.get(0), a);
        stored.put(ds.get(1), b);
      }
    });
    double perRequest = (questions() - before - 1) / (double) (threads * perThread);
    System.out.println("statements per concurrent 2-job enqueue: " + perRequest);
    assertEquals(2 * threads * perThread, stored.size(), "every job has a descriptor of its own");
    for (var e : stored.entrySet()) {
      var info = backend.lookup(queue, List.of(e.getKey().localId()), true).get(0);
      assertEquals(e.getValue(), new String(info.body(), StandardCharsets.UTF_8), "descriptor " + e.getKey());
      assertEquals(e.getValue().endsWith("a") ? 1 : 2, e.getKey().priority());
    }
    assertTrue(perRequest < 0.9, "8 concurrent enqueuers share statements: " + perRequest + " per request");
  }

  /**
   * Alone, a keyed single-job enqueue is a transaction of 5–6 statements; 8 at once share them.
   * Every thread enqueues the same 25 keys, so each key has 8 contenders, within a batch and
   * across batches: exactly one job per key is stored, and every answer names it.
   */
  @Test
  void concurrentKeyedEnqueuesShareTransactionsAndEachKeyIsStoredOnce() throws Exception {
    int threads = 8;
    int keys = 25;
    java.util.Map<String, java.util.Set<io.hourglass.server.queue.JobDescriptor>> answers =
        new java.util.concurrent.ConcurrentHashMap<>();
    java.util.concurrent.atomic.AtomicInteger stored = new java.util.concurrent.atomic.AtomicInteger();
    long before = questions();
    inParallel(threads, thread -> {
      for (int i = 0; i < keys; i++) {
        String key = "key-" + i;
        var out = backend.enqueueJobs(queue, List.of(
            new NewJob((thread + "/" + key).getBytes(StandardCharsets.UTF_8), 1, 0, 2, "").withUniqueKey(key))).get(0);
        if (!out.existing()) {
          stored.incrementAndGet();
        }
        answers.computeIfAbsent(key, k -> java.util.concurrent.ConcurrentHashMap.newKeySet()).add(out.descriptor());
      }
    });
    double perRequest = (questions() - before - 1) / (double) (threads * keys);
    System.out.println("statements per concurrent keyed 1-job enqueue: " + perRequest);
    assertEquals(keys, stored.get(), "one job stored per key");
    for (var e : answers.entrySet()) {
      assertEquals(1, e.getValue().size(), "every enqueue of " + e.getKey() + " is answered with its one holder");
    }
    assertTrue(perRequest < 3, "8 concurrent keyed enqueuers share transactions: " + perRequest + " per request");
  }

  @Test
  void concurrentClaimsOfOneQueueShareOneClaimAndEachClaimantOwnsWhatItGot() throws Exception {
    int threads = 8;
    int perThread = 20;
    int limit = 5;
    backend.enqueue(queue, jobs(threads * perThread * limit));
    java.util.Map<Long, String> owner = new java.util.concurrent.ConcurrentHashMap<>();
    java.util.concurrent.atomic.AtomicInteger duplicates = new java.util.concurrent.atomic.AtomicInteger();
    long before = questions();
    inParallel(threads, thread -> {
      String claimant = "claimant-" + thread;
      for (int i = 0; i < perThread; i++) {
        List<ClaimedJob> got = backend.claim(new ClaimRequest(queue, 1, limit, claimant));
        assertEquals(limit, got.size(), "each claim gets its whole limit while jobs remain");
        got.forEach(j -> {
          if (owner.put(j.descriptor().localId(), claimant) != null) {
            duplicates.incrementAndGet();
          }
        });
      }
    });
    double perClaim = (questions() - before - 1) / (double) (threads * perThread);
    System.out.println("statements per concurrent claim: " + perClaim);
    assertEquals(0, duplicates.get(), "no job is handed to two claims");
    assertEquals(threads * perThread * limit, owner.size());
    // The claimant recorded per row is the one that got it: its ack moves the job, another's does not.
    var byClaimant = new java.util.HashMap<String, List<Ack>>();
    owner.forEach((id, c) -> byClaimant.computeIfAbsent(c, k -> new ArrayList<>())
        .add(new Ack(new io.hourglass.server.queue.JobDescriptor(queue, 1, 1, id), "", 0)));
    List<Ack> first = byClaimant.get("claimant-0");
    assertEquals(0, backend.ackSucceeded(queue, "claimant-1", first), "another claimant's ack moves nothing");
    for (var e : byClaimant.entrySet()) {
      assertEquals(e.getValue().size(), backend.ackSucceeded(queue, e.getKey(), e.getValue()), e.getKey());
    }
    assertTrue(perClaim < 4.4, "8 concurrent claimers share claims: " + perClaim + " statements per claim (5 alone)");
  }

  @Test
  void concurrentAcksOfOneQueueShareStatementsAndMoveOnlyTheJobsOfTheirOwnClaimant() throws Exception {
    int threads = 8;
    int perThread = 20;
    int perAck = 5;
    backend.enqueue(queue, jobs(threads * perThread * perAck));
    List<List<Ack>> owned = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      owned.add(backend.claim(new ClaimRequest(queue, 1, perThread * perAck, "claimant-" + t)).stream()
          .map(j -> new Ack(j.descriptor(), "", 0)).toList());
    }
    java.util.concurrent.atomic.AtomicInteger reported = new java.util.concurrent.atomic.AtomicInteger();
    long before = questions();
    // Thread 0 is a late worker acking claimant-0's jobs as its own: it must move none of them.
    inParallel(threads, thread -> {
      List<Ack> mine = owned.get(thread);
      String claimant = thread == 0 ? "late-worker" : "claimant-" + thread;
      for (int i = 0; i < perThread; i++) {
        reported.addAndGet(backend.ackSucceeded(queue, claimant, mine.subList(i * perAck, (i + 1) * perAck)));
      }
    });
    double perAckCall = (questions() - before - 1) / (double) (threads * perThread);
    System.out.println("statements per concurrent ack: " + perAckCall);
    for (int t = 0; t < threads; t++) {
      var states = backend.lookup(queue, owned.get(t).stream().map(a -> a.descriptor().localId()).toList(), false);
      assertEquals(perThread * perAck, states.size());
      var expected = t == 0 ? io.hourglass.server.queue.JobState.IN_PROGRESS : io.hourglass.server.queue.JobState.SUCCEEDED;
      states.forEach(info -> assertEquals(expected, info.state(), "" + info.descriptor()));
    }
    assertEquals((threads - 1) * perThread * perAck, reported.get(), "the counts the acks report add up to the jobs that moved");
    assertTrue(perAckCall < 0.9, "8 concurrent ackers share statements: " + perAckCall + " per ack (1 alone)");
  }

  @Test
  void aClaimIsFiveStatementsAndAnAckOneUpdate() throws Exception {
    backend.enqueue(queue, jobs(RUNS * 10));
    List<ClaimedJob> claimed = new ArrayList<>();
    double claim = perRun(() -> claimed.addAll(backend.claim(new ClaimRequest(queue, 1, 10, ME))));
    assertEquals(RUNS * 10, claimed.size());
    // SELECT (candidates), START TRANSACTION, SELECT … FOR UPDATE SKIP LOCKED, UPDATE, COMMIT
    assertTrue(claim < 5.3, "statements per claim of 10: " + claim);
    List<List<ClaimedJob>> batches = new ArrayList<>();
    for (int i = 0; i < RUNS; i++) {
      batches.add(claimed.subList(i * 10, i * 10 + 10));
    }
    int[] next = {0};
    double ack = perRun(() -> assertEquals(10, backend.ackSucceeded(queue, ME,
        batches.get(next[0]++).stream().map(j -> new Ack(j.descriptor(), "", 0)).toList())));
    assertTrue(ack < 1.3, "statements per ack of 10: " + ack);
  }

  @Test
  void aHealthProbeSendsNothingRightAfterARequestWasAnsweredAndOneStatementOnAQuietShard() throws Exception {
    Duration timeout = Duration.ofMillis(300);
    backend.enqueue(queue, List.of(job()));
    long before = questions();
    backend.probe(timeout);
    assertEquals(0, questions() - before - 1, "a probe right after an answered request");
    Thread.sleep(timeout.toMillis() + 100);
    before = questions();
    backend.probe(timeout);
    long sent = questions() - before - 1;
    assertTrue(sent >= 1, "a probe after a quiet spell longer than its timeout sends SELECT 1 (and, the first"
        + " time, its connection's set-up): " + sent);
  }

  /**
   * The texts the shard received, one per round trip, from the connections that touched this
   * test's queue while {@code op} ran: the shard's general log, on for just that long.
   */
  List<String> roundTripsOf(ThrowingRunnable op) throws Exception {
    try (java.sql.Statement s = probe.createStatement()) {
      s.execute("SET GLOBAL log_output = 'TABLE'");
      s.execute("TRUNCATE TABLE mysql.general_log");
      s.execute("SET GLOBAL general_log = 1");
      try {
        op.run();
      } finally {
        s.execute("SET GLOBAL general_log = 0");
      }
      List<String> texts = new ArrayList<>();
      try (ResultSet rs = s.executeQuery("""
          SELECT argument FROM mysql.general_log
          WHERE command_type = 'Query' AND thread_id IN (
            SELECT thread_id FROM mysql.general_log WHERE argument LIKE '%`q_statements`%')
          ORDER BY event_time""")) {
        while (rs.next()) {
          texts.add(new String(rs.getBytes(1), StandardCharsets.UTF_8));
        }
      }
      return texts;
    }
  }

  @Test
  void aClaimReadsWithoutLocksThenLocksByPrimaryKeyInThreeRoundTripsAndAnEmptyOneInOne() throws Exception {
    backend.enqueue(queue, jobs(10));
    List<ClaimedJob> claimed = new ArrayList<>();
    List<String> full = roundTripsOf(() -> claimed.addAll(backend.claim(new ClaimRequest(queue, 1, 10, ME))));
    assertEquals(10, claimed.size());
    assertEquals(3, full.size(), "round trips of a claim of 10: " + full);
    assertTrue(full.get(0).startsWith("SELECT id FROM") && !full.get(0).contains("FOR UPDATE"), full.get(0));
    assertTrue(full.get(1).startsWith("START TRANSACTION;") && full.get(1).contains("FORCE INDEX (PRIMARY)")
        && full.get(1).contains("FOR UPDATE SKIP LOCKED"), full.get(1));
    assertTrue(full.get(2).startsWith("UPDATE") && full.get(2).endsWith(";\nCOMMIT"), full.get(2));
    List<String> empty = roundTripsOf(() -> assertTrue(backend.claim(new ClaimRequest(queue, 1, 10, ME)).isEmpty()));
    assertEquals(1, empty.size(), "round trips of an empty claim: " + empty);
    assertTrue(!empty.get(0).contains("FOR UPDATE") && !empty.get(0).contains("START"), empty.get(0));
    // The claim is committed: another connection sees the jobs IN_PROGRESS.
    try (ResultSet rs = probe.createStatement().executeQuery(
        "SELECT COUNT(*) FROM hg_statements.`q_statements` WHERE state = 1 AND claim_descriptor = '" + ME + "'")) {
      rs.next();
      assertTrue(rs.getInt(1) >= 10, "claimed rows visible to another connection: " + rs.getInt(1));
    }
  }

  @Test
  void aClaimWhoseUpdateFailsLeavesItsJobsPendingAndUnlocked() throws Exception {
    backend.enqueue(queue, jobs(10));
    try (java.sql.Statement s = probe.createStatement()) {
      s.execute("SET SESSION lock_wait_timeout = 5"); // a transaction left open would hold DROP TRIGGER forever
      s.execute("CREATE TRIGGER hg_statements.refuse_claims BEFORE UPDATE ON hg_statements.`q_statements`"
          + " FOR EACH ROW IF NEW.state = 1 THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'refused by the test'; END IF");
      try {
        assertThrows(QueueException.class, () -> backend.claim(new ClaimRequest(queue, 1, 10, ME)));
      } finally {
        s.execute("DROP TRIGGER hg_statements.refuse_claims");
      }
      // Rolled back: another connection can lock every one of them at once (SKIP LOCKED would pass over held rows).
      int lockable = 0;
      try (ResultSet rs = s.executeQuery(
          "SELECT id FROM hg_statements.`q_statements` WHERE state = 0 FOR UPDATE SKIP LOCKED")) {
        while (rs.next()) {
          lockable++;
        }
      }
      assertEquals(10, lockable, "pending jobs free of the failed claim's locks");
    }
    assertEquals(10, backend.claim(new ClaimRequest(queue, 1, 10, ME)).size(), "the next claim gets them all");
  }

  @Test
  void aClaimWhoseOldestJobsAnotherClaimHoldsTakesTheNextFreeOnesUpToItsLimit() throws Exception {
    backend.claim(new ClaimRequest(queue, 1, 100, ME)); // take what setup left
    List<Long> ids = backend.enqueue(queue, jobs(20)).stream().map(d -> d.localId()).toList();
    try (Connection other = DriverManager.getConnection("jdbc:mysql://127.0.0.1:" + LocalShards.get().port(1) + "/hg_statements", "root", "");
        java.sql.Statement s = other.createStatement()) {
      s.execute("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED");
      s.execute("START TRANSACTION");
      // another server's claim in progress: it holds the 5 oldest (through the primary key: on a
      // table this small the optimizer would scan an index and lock every row)
      String oldestFive = ids.subList(0, 5).stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(","));
      s.executeQuery("SELECT id FROM `q_statements` FORCE INDEX (PRIMARY) WHERE id IN (" + oldestFive + ") FOR UPDATE").close();
      List<Long> got = backend.claim(new ClaimRequest(queue, 1, 10, ME)).stream().map(j -> j.descriptor().localId()).toList();
      assertEquals(ids.subList(5, 15), got, "the 10 oldest jobs nobody holds, in claim order");
      s.execute("ROLLBACK");
    }
    List<Long> next = backend.claim(new ClaimRequest(queue, 1, 10, ME)).stream().map(j -> j.descriptor().localId()).toList();
    assertEquals(java.util.stream.Stream.concat(ids.subList(0, 5).stream(), ids.subList(15, 20).stream()).toList(), next,
        "once released, the held ones are first again");
  }

  @Test
  void anEmptyClaimIsOneReadWithoutATransaction() throws Exception {
    backend.claim(new ClaimRequest(queue, 1, 100, ME)); // take what setup left
    double n = perRun(() -> assertTrue(backend.claim(new ClaimRequest(queue, 2, 10, ME)).isEmpty()));
    assertTrue(n < 1.3, "statements per empty claim: " + n);
  }
}
