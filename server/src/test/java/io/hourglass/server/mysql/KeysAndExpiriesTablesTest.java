package io.hourglass.server.mysql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hourglass.server.config.PoolSettings;
import io.hourglass.server.config.ShardSpec;
import io.hourglass.server.queue.Ack;
import io.hourglass.server.queue.ClaimRequest;
import io.hourglass.server.queue.EnqueuedJob;
import io.hourglass.server.queue.JobDescriptor;
import io.hourglass.server.queue.JobFilter;
import io.hourglass.server.queue.JobState;
import io.hourglass.server.queue.NewJob;
import io.hourglass.server.queue.QueueName;
import io.hourglass.testing.LocalShards;
import io.hourglass.testing.MutableClock;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The rows beside a queue's jobs table (mysql/KeysAndExpiries): written only by jobs that carry a
 * key or an expiry, and never left behind by the jobs they name.
 */
class KeysAndExpiriesTablesTest {
  static final String DATABASE = "hg_keys_expiries";
  static final String ME = "worker:1";
  final MutableClock clock = MutableClock.startingNow();
  final QueueName queue = QueueName.of("side_rows");
  MySqlBackend backend;
  Connection direct;

  @BeforeEach
  void open() throws Exception {
    int port = LocalShards.get().port(1);
    backend = MySqlBackend.open(new ShardSpec(1, "127.0.0.1", port, "root", "", DATABASE, false),
        new PoolSettings(4, Duration.ofSeconds(2), Duration.ofSeconds(30), 4), clock);
    backend.createQueue(queue);
    direct = DriverManager.getConnection("jdbc:mysql://127.0.0.1:" + port + "/" + DATABASE, "root", "");
  }

  @AfterEach
  void close() throws Exception {
    backend.deleteQueue(queue);
    backend.close();
    direct.close();
  }

  NewJob job(String body) {
    return new NewJob(body.getBytes(), 1, clock.millis(), 1, "");
  }

  List<Long> column(String sql) throws Exception {
    List<Long> out = new ArrayList<>();
    try (Statement s = direct.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) {
        out.add(rs.getLong(1));
      }
    }
    return out;
  }

  List<Long> keyHolders() throws Exception {
    return column("SELECT job_id FROM qk_side_rows ORDER BY job_id");
  }

  List<Long> expiring() throws Exception {
    return column("SELECT job_id FROM qx_side_rows ORDER BY job_id");
  }

  /** Claims every due job of priority 1 and acks each as {@code succeeded} says. */
  void finish(boolean succeeded) {
    for (var j : backend.claim(new ClaimRequest(queue, 1, 100, ME))) {
      Ack ack = new Ack(j.descriptor(), "", 0);
      if (succeeded) {
        backend.ackSucceeded(queue, ME, List.of(ack));
      } else {
        backend.ackFailed(queue, ME, List.of(ack.givingUp()));
      }
    }
  }

  @Test
  void jobsWithoutKeyOrExpiryWriteOnlyTheJobsTableWithItsTwoIndexes() throws Exception {
    backend.enqueue(queue, List.of(job("a"), job("b")));
    assertEquals(List.of(), keyHolders());
    assertEquals(List.of(), expiring());
    try (Statement s = direct.createStatement(); ResultSet rs = s.executeQuery(
        "SELECT DISTINCT INDEX_NAME FROM information_schema.STATISTICS"
            + " WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'q_side_rows' ORDER BY BINARY INDEX_NAME")) {
      List<String> indexes = new ArrayList<>();
      while (rs.next()) {
        indexes.add(rs.getString(1));
      }
      assertEquals(List.of("PRIMARY", "claim_order", "state_updated"), indexes);
    }
  }

  @Test
  void aKeyWhoseHolderFinishedIsTakenOverByItsNextEnqueue() throws Exception {
    JobDescriptor first = backend.enqueueJobs(queue, List.of(job("a").withUniqueKey("k"))).get(0).descriptor();
    assertEquals(List.of(first.localId()), keyHolders());
    finish(true);
    assertEquals(List.of(first.localId()), keyHolders(), "finishing writes nothing beside the job");
    EnqueuedJob next = backend.enqueueJobs(queue, List.of(job("b").withUniqueKey("k"))).get(0);
    assertFalse(next.existing());
    assertEquals(List.of(next.descriptor().localId()), keyHolders());
  }

  @Test
  void pruningDeletesTheKeyAndExpiryRowsOfThePrunedJobsOnly() throws Exception {
    long expiry = clock.millis() + 60_000;
    JobDescriptor old = backend.enqueueJobs(queue, List.of(job("old").withUniqueKey("old").withExpiry(expiry)))
        .get(0).descriptor();
    finish(true);
    clock.advance(Duration.ofMinutes(1));
    JobDescriptor live = backend.enqueueJobs(queue, List.of(job("live").withUniqueKey("live").withExpiry(expiry * 2)))
        .get(0).descriptor();
    assertEquals(List.of(old.localId(), live.localId()), keyHolders());
    assertEquals(List.of(old.localId(), live.localId()), expiring());

    assertEquals(1, backend.pruneFinished(queue, JobState.SUCCEEDED, clock.millis(), 10));
    assertEquals(List.of(live.localId()), keyHolders());
    assertEquals(List.of(live.localId()), expiring());
  }

  @Test
  void deletedJobsTakeTheirKeyAndExpiryRowsWithThem() throws Exception {
    long expiry = clock.millis() + 60_000;
    JobDescriptor a = backend.enqueueJobs(queue, List.of(job("a").withUniqueKey("a").withExpiry(expiry))).get(0)
        .descriptor();
    JobDescriptor b = backend.enqueueJobs(queue, List.of(job("b").withUniqueKey("b").withExpiry(expiry))).get(0)
        .descriptor();
    assertEquals(1, backend.deleteJobs(new JobFilter(queue, JobState.PENDING, 1, null, "^a$"), 10));
    assertEquals(List.of(b.localId()), keyHolders());
    assertEquals(List.of(b.localId()), expiring());
    assertEquals(1, backend.dashboard().deleteJob(queue, b.localId()));
    assertEquals(List.of(), keyHolders());
    assertEquals(List.of(), expiring());
    assertFalse(backend.enqueueJobs(queue, List.of(job("a2").withUniqueKey("a"))).get(0).existing());
    assertTrue(backend.lookup(queue, List.of(a.localId()), false).isEmpty());
  }

  @Test
  void theSweepDeletesTheExpiryRowsOfJobsThatFinishedFirstOnceTheirTimeHasCome() throws Exception {
    long expiry = clock.millis() + 1000;
    JobDescriptor done = backend.enqueueJobs(queue, List.of(job("done").withExpiry(expiry))).get(0).descriptor();
    finish(true);
    JobDescriptor waiting = backend.enqueueJobs(queue, List.of(job("waiting").withExpiry(expiry))).get(0)
        .descriptor();
    assertEquals(0, backend.expireJobs(queue, clock.millis(), 10), "not yet due");
    assertEquals(List.of(done.localId(), waiting.localId()), expiring());

    clock.advance(Duration.ofSeconds(1));
    assertEquals(1, backend.expireJobs(queue, clock.millis(), 10), "only the PENDING job moves");
    assertEquals(List.of(), expiring());
    assertEquals(JobState.SUCCEEDED, backend.lookup(queue, List.of(done.localId()), false).get(0).state());
    assertFalse(backend.hasExpiredJobs(queue, clock.millis()));
  }

  @Test
  void aSweepRoundThatOnlyTidiesRowsOfFinishedJobsDoesNotEndTheSweep() throws Exception {
    long expiry = clock.millis() + 1000;
    List<NewJob> finishedFirst = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      finishedFirst.add(job("done" + i).withExpiry(expiry));
    }
    backend.enqueueJobs(queue, finishedFirst);
    finish(true);
    JobDescriptor later = backend.enqueueJobs(queue, List.of(job("later").withExpiry(expiry + 1))).get(0)
        .descriptor();
    clock.advance(Duration.ofSeconds(2));
    assertEquals(1, backend.expireJobs(queue, clock.millis(), 2), "rounds of 2 pass the 5 finished jobs' rows");
    assertEquals(JobState.FAILED, backend.lookup(queue, List.of(later.localId()), false).get(0).state());
  }
}
