package io.hourglass.server.mysql;

import io.hourglass.server.config.PoolSettings;
import io.hourglass.server.config.ShardSpec;
import io.hourglass.server.queue.NewJob;
import io.hourglass.server.queue.QueueName;
import io.hourglass.testing.Repo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What unique keys cost an enqueue at the storage seam: one durable MariaDB shard (fsync on),
 * 4 concurrent enqueuers, 1 and 100 jobs per call, without and with a fresh unique key per job
 * (and, last, re-enqueueing keys already held: every job answered with its holder). Prints
 * jobs/s per round and the median over {@code bench.rounds} rounds; the variants take turns in
 * every round, so load from elsewhere on the machine hits them alike. Run with
 * {@code scripts/bench-enqueue-keys}.
 */
public final class EnqueueKeyBenchmark {
  private static final Duration RUN = Duration.ofSeconds(Integer.getInteger("bench.seconds", 5));
  private static final int CLIENTS = 4;
  private static final int ROUNDS = Integer.getInteger("bench.rounds", 3);
  private static final List<String> VARIANTS = List.of("no keys", "unique keys", "held keys (duplicates)");

  public static void main(String[] args) throws Exception {
    Path dir = Files.createTempDirectory("hourglass-bench-");
    int port = 20000 + (int) (ProcessHandle.current().pid() % 20000);
    sh("start", "--count", "1", "--ports", String.valueOf(port), "--dir", dir.toString());
    try {
      ShardSpec spec = new ShardSpec(1, "127.0.0.1", port, "root", "", "bench", false);
      MySqlBackend backend = MySqlBackend.open(spec,
          new PoolSettings(16, Duration.ofSeconds(30), Duration.ofSeconds(60), 4), Clock.systemUTC());
      QueueName q = QueueName.of("bench");
      backend.createQueue(q);
      java.util.Map<String, List<Double>> rates = new java.util.LinkedHashMap<>();
      for (int round = 1; round <= ROUNDS; round++) {
        for (int batch : List.of(1, 100)) {
          for (String variant : VARIANTS) {
            double r = run(backend, q, variant, batch, round);
            rates.computeIfAbsent(String.format("%-22s %8d", variant, batch), k -> new ArrayList<>()).add(r);
            System.out.printf("round %d  %-22s %8d %10.0f jobs/s%n", round, variant, batch, r);
          }
        }
      }
      System.out.printf("%n%-22s %8s %12s   (per round)%n", "variant", "per call", "median jobs/s");
      rates.forEach((k, v) -> {
        List<Double> sorted = new ArrayList<>(v);
        java.util.Collections.sort(sorted);
        System.out.printf("%s %12.0f   %s%n", k, sorted.get(sorted.size() / 2),
            v.stream().map(x -> String.format("%.0f", x)).toList());
      });
      backend.close();
    } finally {
      sh("stop", "--dir", dir.toString());
    }
  }

  private static double run(MySqlBackend backend, QueueName q, String variant, int batch, int round)
      throws Exception {
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong jobs = new AtomicLong();
    List<Thread> threads = new ArrayList<>();
    String prefix = variant.charAt(0) + "-" + batch + "-" + round + "-";
    long start = System.nanoTime();
    for (int t = 0; t < CLIENTS; t++) {
      int client = t;
      Thread th = new Thread(() -> {
        long seq = 0;
        while (!stop.get()) {
          List<NewJob> jobsOfCall = new ArrayList<>(batch);
          for (int i = 0; i < batch; i++) {
            NewJob j = new NewJob(new byte[64], 1, System.currentTimeMillis(), 2, "");
            jobsOfCall.add(switch (variant) {
              case "unique keys" -> j.withUniqueKey(prefix + client + "-" + seq++);
              case "held keys (duplicates)" -> j.withUniqueKey("u-" + batch + "-" + client + "-" + (seq++ % 2000));
              default -> j;
            });
          }
          backend.enqueueJobs(q, jobsOfCall);
          jobs.addAndGet(batch);
        }
      });
      th.start();
      threads.add(th);
    }
    Thread.sleep(RUN.toMillis());
    stop.set(true);
    for (Thread th : threads) {
      th.join();
    }
    double secs = (System.nanoTime() - start) / 1e9;
    return jobs.get() / secs;
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
