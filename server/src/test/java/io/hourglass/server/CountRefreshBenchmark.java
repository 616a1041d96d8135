package io.hourglass.server;

import io.hourglass.server.config.ServerConfig;
import io.hourglass.testing.LocalShards;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.util.Map;

/**
 * What the dashboard's background counts cost on a queue of 1M jobs (scripts/bench-counts): a
 * dedicated MariaDB shard, 1M jobs inserted with multi-row INSERTs straight into the queue's
 * table (70% PENDING of which a tenth in the future, 5% IN_PROGRESS, 20% SUCCEEDED, 5% FAILED,
 * priorities 1-3), then the count cycle timed, EXPLAIN printed, and page views timed.
 */
public final class CountRefreshBenchmark {
  public static void main(String[] args) throws Exception {
    int jobs = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    LocalShards shards = LocalShards.dedicated(1);
    Path file = Files.createTempFile("bench-shards-", ".json");
    Files.writeString(file, "{\"shards\": [{\"id\": 1, \"host\": \"127.0.0.1\", \"port\": " + shards.port(1)
        + ", \"user\": \"root\", \"password\": \"\", \"database\": \"hg_bench\"}]}");
    try (HourglassServer server = HourglassServer.start(ServerConfig.load(null, Map.of("thrift.port", "0",
        "admin.port", "0", "thrift.host", "127.0.0.1", "shardConfig", file.toString(),
        "admin.countsRefreshMillis", "3600000")), Clock.systemUTC())) {
      try (var rpc = new org.apache.thrift.transport.TSocket("127.0.0.1", server.thriftPort())) {
        var framed = new org.apache.thrift.transport.layered.TFramedTransport(rpc);
        framed.open();
        new io.hourglass.thrift.PinLater.Client(new org.apache.thrift.protocol.TBinaryProtocol(framed))
            .createQueue(io.hourglass.testing.TestServer.CONTEXT, "big");
      }
      String url = "jdbc:mysql://127.0.0.1:" + shards.port(1) + "/hg_bench?user=root&password=";
      try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
        long t0 = System.nanoTime();
        long now = System.currentTimeMillis();
        int batch = 5000;
        for (int done = 0; done < jobs; done += batch) {
          StringBuilder sql = new StringBuilder("INSERT INTO q_big (priority, state, run_after, attempts_allowed, "
              + "attempts_remaining, custom_status, created_at, updated_at, body) VALUES ");
          for (int i = done; i < Math.min(jobs, done + batch); i++) {
            int r = i % 100;
            int state = r < 70 ? 0 : r < 75 ? 1 : r < 95 ? 2 : 3;
            long runAfter = state == 0 && r < 7 ? now + 3_600_000 : now - (jobs - i);
            sql.append(i == done ? "" : ",").append('(').append(1 + i % 3).append(',').append(state).append(',')
                .append(runAfter).append(",3,2,'',").append(now).append(',').append(now - (jobs - i))
                .append(",'body of a benchmark job, 64 bytes long ...................')");
          }
          s.executeUpdate(sql.toString());
        }
        System.out.printf("inserted %,d jobs in %.1f s%n", jobs, (System.nanoTime() - t0) / 1e9);
        s.execute("ANALYZE TABLE q_big");
        explain(s, "EXPLAIN SELECT state, priority, COUNT(*), SUM(run_after > " + now + "), MIN(run_after) FROM q_big "
            + "GROUP BY state, priority");
        explain(s, "EXPLAIN SELECT MIN(updated_at) FROM q_big WHERE state = 1");
      }
      for (int i = 0; i < 5; i++) {
        long t = System.nanoTime();
        var out = server.counter().runOnce();
        System.out.printf("count cycle (index-only GROUP BY + store): %.0f ms %s%n", (System.nanoTime() - t) / 1e6, out);
        Thread.sleep(100);
        // runOnce skips a shard counted less than 90% of an interval ago; force the next cycle
        try (Connection c = DriverManager.getConnection("jdbc:mysql://127.0.0.1:" + shards.port(1)
            + "/hg_bench?user=root&password="); Statement s = c.createStatement()) {
          s.executeUpdate("DELETE FROM hourglass_maintenance WHERE task = 'counts'");
        }
      }
      for (int i = 0; i < 3; i++) {
        long t = System.nanoTime();
        server.dashboardData().refresh();
        System.out.printf("read-back of the stored counts (every server, every interval): %.1f ms%n",
            (System.nanoTime() - t) / 1e6);
      }
      HttpClient http = HttpClient.newHttpClient();
      String base = "http://127.0.0.1:" + server.adminPort();
      for (String page : new String[] {"/", "/ui/queues", "/ui/queue?name=big", "/ui/shards", "/ui/maintenance"}) {
        long best = Long.MAX_VALUE;
        int size = 0;
        for (int i = 0; i < 50; i++) {
          long t = System.nanoTime();
          size = http.send(HttpRequest.newBuilder(URI.create(base + page)).build(), HttpResponse.BodyHandlers.ofString())
              .body().length();
          best = Math.min(best, System.nanoTime() - t);
        }
        System.out.printf("page %s: best of 50 %.2f ms, %,d bytes, no SQL%n", page, best / 1e6, size);
      }
    } finally {
      shards.stopAll();
    }
  }

  private static void explain(Statement s, String sql) throws Exception {
    System.out.println(sql);
    try (ResultSet rs = s.executeQuery(sql)) {
      int n = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        StringBuilder b = new StringBuilder("  ");
        for (int i = 1; i <= n; i++) {
          b.append(rs.getMetaData().getColumnLabel(i)).append('=').append(rs.getString(i)).append(' ');
        }
        System.out.println(b);
      }
    }
  }
}
