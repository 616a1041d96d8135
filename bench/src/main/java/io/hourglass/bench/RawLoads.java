package io.hourglass.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The raw-JDBC reference: what the original PinLater's table layout allows at its best, straight
 * from the load client to the shards (no server). Loop {@code i} owns one connection to shard
 * {@code i mod shards}.
 */
final class RawLoads {
  private RawLoads() {}

  /** Creates the reference table on every shard (idempotent) and empties it. */
  static void reset(List<ShardSet.Shard> shards) throws SQLException {
    for (ShardSet.Shard s : shards) {
      try (Connection c = DriverManager.getConnection(s.jdbcUrl(RawSql.DATABASE)); Statement st = c.createStatement()) {
        st.execute(RawSql.CREATE_TABLE);
        st.execute(RawSql.TRUNCATE);
      }
    }
  }

  private static Connection connect(List<ShardSet.Shard> shards, int index) throws SQLException {
    return DriverManager.getConnection(shards.get(index % shards.size()).jdbcUrl(RawSql.DATABASE));
  }

  /** One autocommit INSERT of {@code rows} jobs per iteration (rows = 1: one statement per job). */
  static Loop.Factory insert(List<ShardSet.Shard> shards, int rows, byte[] body) {
    return index -> {
      Connection c = connect(shards, index);
      PreparedStatement insert = c.prepareStatement(RawSql.insert(rows));
      return new Loop() {
        @Override
        public int runOnce(CellRunner.Context context) throws SQLException {
          long now = System.currentTimeMillis();
          long t0 = System.nanoTime();
          bindRows(insert, rows, now, body);
          insert.executeUpdate();
          context.record(System.nanoTime() - t0);
          return rows;
        }

        @Override
        public void close() throws SQLException {
          c.close();
        }
      };
    };
  }

  /**
   * Claim {@code limit} (SELECT … FOR UPDATE SKIP LOCKED, UPDATE … WHERE id IN, COMMIT), then
   * success-ack them (UPDATE … WHERE id IN, COMMIT): 5 statements per claim. The latency
   * recorded is the claim's (its three statements).
   */
  static Loop.Factory claimAck(List<ShardSet.Shard> shards, int limit) {
    return index -> {
      Connection c = connect(shards, index);
      c.setAutoCommit(false);
      PreparedStatement select = c.prepareStatement(RawSql.SELECT_CLAIMABLE);
      String claimant = "bench-raw-" + index;
      return new Loop() {
        @Override
        public int runOnce(CellRunner.Context context) throws SQLException {
          long t0 = System.nanoTime();
          List<Long> ids = retryingDeadlocks(c, context, () -> claim(limit));
          if (ids.isEmpty()) {
            context.countEmpty();
            return 0;
          }
          context.record(System.nanoTime() - t0);
          retryingDeadlocks(c, context, () -> ack(ids));
          return ids.size();
        }

        private List<Long> claim(int limit) throws SQLException {
          long now = System.currentTimeMillis();
          select.setLong(1, now);
          select.setInt(2, limit);
          List<Long> ids = new ArrayList<>(limit);
          try (ResultSet rs = select.executeQuery()) {
            while (rs.next()) {
              ids.add(rs.getLong(1));
              rs.getBytes(4); // the body travels, as it does to a worker
            }
          }
          if (!ids.isEmpty()) {
            try (PreparedStatement claim = c.prepareStatement(RawSql.markClaimed(ids.size()))) {
              claim.setString(1, claimant);
              claim.setLong(2, now);
              bindIds(claim, 3, ids);
              claim.executeUpdate();
            }
          }
          c.commit();
          return ids;
        }

        private Void ack(List<Long> ids) throws SQLException {
          try (PreparedStatement ack = c.prepareStatement(RawSql.ackSucceeded(ids.size()))) {
            ack.setLong(1, System.currentTimeMillis());
            bindIds(ack, 2, ids);
            ack.executeUpdate();
          }
          c.commit();
          return null;
        }

        @Override
        public void close() throws SQLException {
          c.close();
        }
      };
    };
  }

  interface Transaction<T> {
    T run() throws SQLException;
  }

  /**
   * InnoDB may pick a SKIP LOCKED claim or an ack as a deadlock victim (errno 1213: the claim's
   * scan of claim_order meets an ack rewriting the same index entries); like any client, roll
   * back and run the transaction again. Each retry is counted and shown with the cell.
   */
  static <T> T retryingDeadlocks(Connection c, CellRunner.Context context, Transaction<T> tx) throws SQLException {
    for (int attempt = 1; ; attempt++) {
      try {
        return tx.run();
      } catch (SQLException e) {
        if (e.getErrorCode() != 1213 || attempt >= 10) {
          throw e;
        }
        c.rollback();
        context.countRetry();
      }
    }
  }

  /** Puts {@code perShard} PENDING jobs on every shard with 100-row INSERTs. */
  static void prefill(List<ShardSet.Shard> shards, long perShard, byte[] body) throws SQLException {
    for (ShardSet.Shard s : shards) {
      try (Connection c = DriverManager.getConnection(s.jdbcUrl(RawSql.DATABASE));
          PreparedStatement insert = c.prepareStatement(RawSql.insert(100))) {
        for (long done = 0; done < perShard; done += 100) {
          bindRows(insert, 100, System.currentTimeMillis(), body);
          insert.executeUpdate();
        }
      }
    }
  }

  private static void bindRows(PreparedStatement ps, int rows, long now, byte[] body) throws SQLException {
    int p = 1;
    for (int r = 0; r < rows; r++) {
      ps.setLong(p++, now);
      ps.setLong(p++, now);
      ps.setLong(p++, now);
      ps.setBytes(p++, body);
    }
  }

  private static void bindIds(PreparedStatement ps, int first, List<Long> ids) throws SQLException {
    for (int i = 0; i < ids.size(); i++) {
      ps.setLong(first + i, ids.get(i));
    }
  }
}
