package io.hourglass.server.mysql;

import io.hourglass.server.config.PoolSettings;
import io.hourglass.server.config.ShardSpec;
import io.hourglass.server.queue.Ack;
import io.hourglass.server.queue.ClaimRequest;
import io.hourglass.server.queue.ClaimedJob;
import io.hourglass.server.queue.JobDescriptor;
import io.hourglass.server.queue.NewJob;
import io.hourglass.server.queue.QueueName;
import io.hourglass.testing.Repo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Compares claim statements on one durable MariaDB shard (fsync on) with 1, 4 and 16 concurrent
 * dequeuers, each looping claim 100 → success-ack those 100. Prints jobs/s and claim latency.
 *
 * <ul>
 *   <li>skip-locked: ours — SELECT … ORDER BY run_after LIMIT n FOR UPDATE SKIP LOCKED, then
 *       UPDATE by id, one READ COMMITTED transaction ({@link MySqlBackend#claim}).
 *   <li>skip-locked-gate4: the same, with at most 4 claims at once on the shard (the server's
 *       default {@code pool.maxConcurrentClaims}); the others wait in the server.
 *   <li>pinlater-update: the original — UPDATE … SET claim=token WHERE state=0 … LIMIT n (no
 *       order), then SELECT the rows carrying the token.
 *   <li>ordered-update: UPDATE … ORDER BY run_after LIMIT n (FIFO, but no SKIP LOCKED).
 * </ul>
 *
 * Run with {@code scripts/bench-claim}.
 */
public final class ClaimBenchmark {
  private static final int BATCH = 100;
  private static final Duration RUN = Duration.ofSeconds(Integer.getInteger("bench.seconds", 5));

  interface Claimer {
    List<Long> claim(Connection c, String claimant) throws SQLException;
  }

  public static void main(String[] args) throws Exception {
    Path dir = Files.createTempDirectory("hourglass-bench-");
    int port = 20000 + (int) (ProcessHandle.current().pid() % 20000);
    sh("start", "--count", "1", "--ports", String.valueOf(port), "--dir", dir.toString());
    try {
      ShardSpec spec = new ShardSpec(1, "127.0.0.1", port, "root", "", "bench", false);
      MySqlBackend backend = MySqlBackend.open(spec, pool(1000), Clock.systemUTC());
      MySqlBackend gated = MySqlBackend.open(spec, pool(4), Clock.systemUTC());
      QueueName q = QueueName.of("bench");
      backend.createQueue(q);
      System.out.printf("%-16s %5s %10s %10s %10s%n", "variant", "conc", "jobs/s", "p50 ms", "p99 ms");
      for (String variant : List.of("skip-locked", "skip-locked-gate4", "pinlater-update", "ordered-update")) {
        for (int conc : List.of(1, 4, 16)) {
          refill(backend, q);
          run(variant, conc, variant.endsWith("gate4") ? gated : backend, q);
        }
      }
      gated.close();
      backend.close();
    } finally {
      sh("stop", "--dir", dir.toString());
    }
  }

  private static PoolSettings pool(int maxConcurrentClaims) {
    return new PoolSettings(40, Duration.ofSeconds(30), Duration.ofSeconds(60), maxConcurrentClaims);
  }

  private static void refill(MySqlBackend backend, QueueName q) throws SQLException {
    try (Connection c = backend.dataSource().getConnection();
        PreparedStatement ps = c.prepareStatement("DELETE FROM q_bench")) {
      ps.executeUpdate();
    }
    long now = System.currentTimeMillis();
    List<NewJob> batch = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      batch.add(new NewJob(new byte[64], 1, now - 1000 + i % 997, 2, ""));
    }
    for (int i = 0; i < 150; i++) {
      backend.enqueue(q, batch);
    }
  }

  private static Claimer claimer(String variant, MySqlBackend backend, QueueName q) {
    return switch (variant) {
      case "skip-locked", "skip-locked-gate4" -> (c, claimant) -> backend.claim(new ClaimRequest(q, 1, BATCH, claimant)).stream()
          .map(j -> j.descriptor().localId()).toList();
      case "pinlater-update" -> (c, claimant) -> updateThenSelect(c, claimant,
          "UPDATE q_bench SET state=1, claim_descriptor=?, updated_at=? WHERE state=0 AND priority=1 AND run_after<=? LIMIT ?");
      case "ordered-update" -> (c, claimant) -> updateThenSelect(c, claimant,
          "UPDATE q_bench SET state=1, claim_descriptor=?, updated_at=? WHERE state=0 AND priority=1 AND run_after<=? "
              + "ORDER BY run_after LIMIT ?");
      default -> throw new IllegalArgumentException(variant);
    };
  }

  /** The claimant is unique per call here, so the SELECT finds exactly this claim's rows. */
  private static List<Long> updateThenSelect(Connection c, String token, String update) throws SQLException {
    long now = System.currentTimeMillis();
    for (int attempt = 0; ; attempt++) {
      try (PreparedStatement ps = c.prepareStatement(update)) {
        ps.setString(1, token);
        ps.setLong(2, now);
        ps.setLong(3, now);
        ps.setInt(4, BATCH);
        ps.executeUpdate();
        break;
      } catch (SQLException e) {
        if (!SqlErrors.isRetryable(e) || attempt > 5) {
          throw e;
        }
      }
    }
    List<Long> ids = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT id, body FROM q_bench WHERE state=1 AND claim_descriptor=?")) {
      ps.setString(1, token);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          ids.add(rs.getLong(1));
        }
      }
    }
    return ids;
  }

  private static void run(String variant, int conc, MySqlBackend backend, QueueName q) throws Exception {
    Claimer claimer = claimer(variant, backend, q);
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong jobs = new AtomicLong();
    List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
    CountDownLatch done = new CountDownLatch(conc);
    List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
    long start = System.nanoTime();
    for (int t = 0; t < conc; t++) {
      int worker = t;
      Thread th = new Thread(() -> {
        long seq = 0;
        try (Connection c = backend.dataSource().getConnection()) {
          while (!stop.get()) {
            String claimant = "bench-" + worker + "-" + seq++;
            long t0 = System.nanoTime();
            List<Long> ids = claimer.claim(c, claimant);
            latencies.add(System.nanoTime() - t0);
            if (ids.isEmpty()) {
              break;
            }
            List<Ack> acks = ids.stream().map(id -> new Ack(new JobDescriptor(q, 1, 1, id), "", 0)).toList();
            backend.ackSucceeded(q, claimant, acks);
            jobs.addAndGet(ids.size());
          }
        } catch (Throwable e) {
          errors.add(e);
        } finally {
          done.countDown();
        }
      });
      th.start();
    }
    Thread.sleep(RUN.toMillis());
    stop.set(true);
    done.await();
    double secs = (System.nanoTime() - start) / 1e9;
    if (!errors.isEmpty()) {
      System.out.printf("%-16s %5d failed: %s%n", variant, conc, errors.get(0));
      return;
    }
    List<Long> sorted = new ArrayList<>(latencies);
    Collections.sort(sorted);
    System.out.printf("%-16s %5d %10.0f %10.1f %10.1f%n", variant, conc, jobs.get() / secs,
        pct(sorted, 0.50), pct(sorted, 0.99));
  }

  private static double pct(List<Long> sorted, double p) {
    return sorted.isEmpty() ? 0 : sorted.get((int) Math.min(sorted.size() - 1, p * sorted.size())) / 1e6;
  }

  private static void sh(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("bash", Repo.root().resolve("scripts/local-shards").toString()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).inheritIO().start();
    if (p.waitFor() != 0) {
      throw new IllegalStateException("local-shards " + String.join(" ", args) + " failed");
    }
  }
}
