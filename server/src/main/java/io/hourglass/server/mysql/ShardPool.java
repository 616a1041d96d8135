package io.hourglass.server.mysql;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.util.DriverDataSource;
import io.hourglass.server.config.PoolSettings;
import io.hourglass.server.config.ShardSpec;
import java.time.Duration;
import java.util.Properties;

/** Builds the HikariCP pools of one shard: the request pool and the smaller admin pool. */
final class ShardPool {
  private ShardPool() {}

  /**
   * The pool of the request path: enqueue, claim, ack, checkpoint, lookup, maintenance. Its new
   * connections wait at {@code gate} while the shard is down (see {@link ConnectGate}).
   */
  static HikariDataSource open(ShardSpec shard, PoolSettings settings, ConnectGate gate) {
    return open(shard, settings, gate, "shard-" + shard.id(), settings.maxConnections(), settings.statementTimeout());
  }

  /**
   * The pool of counts, scans, retries and deletes: a few connections, a longer statement limit.
   * Kept apart so that operator statements (a regex over every body of a queue) can use up only
   * their own share of a shard's connections.
   */
  static HikariDataSource openAdmin(ShardSpec shard, PoolSettings settings, ConnectGate gate) {
    HikariDataSource ds = open(shard, settings, gate, "shard-" + shard.id() + "-admin",
        settings.admin().maxConnections(), settings.admin().statementTimeout());
    return ds;
  }

  private static HikariDataSource open(ShardSpec shard, PoolSettings settings, ConnectGate gate, String name,
      int size, Duration statementTimeout) {
    HikariConfig c = new HikariConfig();
    c.setPoolName(name);
    c.setDataSource(new GatedDataSource(new TimeLimitedDataSource(
        new DriverDataSource(jdbcUrl(shard), null, driverProperties(settings), shard.user(), shard.password()),
        statementTimeout), gate));
    c.setMaximumPoolSize(size);
    c.setMinimumIdle(Math.min(2, size));
    c.setConnectionTimeout(settings.connectTimeout().toMillis());
    // Start even when the shard is down; it joins as soon as it answers.
    c.setInitializationFailTimeout(-1);
    // SKIP LOCKED claims are cheap and gap-lock free under READ COMMITTED (see DESIGN.md §4).
    c.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
    // Autocommit, HikariCP's default, is what almost every statement wants (enqueue, ack,
    // checkpoint: one statement each). A claim brackets its two statements with START TRANSACTION
    // and COMMIT instead of toggling autocommit, so no connection is ever returned with state to reset.
    c.setAutoCommit(true);
    return new HikariDataSource(c);
  }

  private static Properties driverProperties(PoolSettings settings) {
    Properties p = new Properties();
    p.setProperty("createDatabaseIfNotExist", "true");
    // A batch (queue counts, checkpoints, expiries) goes to the shard in one round trip.
    p.setProperty("rewriteBatchedStatements", "true");
    // Update counts are rows changed, not rows matched: acks report what they really moved.
    p.setProperty("useAffectedRows", "true");
    p.setProperty("connectTimeout", String.valueOf(settings.connectTimeout().toMillis()));
    // The last resort against a frozen shard process: the statement limit is enforced by the
    // shard, and a shard that does not run at all cannot enforce anything.
    p.setProperty("socketTimeout", String.valueOf(settings.socketTimeout().toMillis()));
    p.setProperty("cachePrepStmts", "true");
    p.setProperty("prepStmtCacheSize", "500");
    // The driver parses a statement's text for its placeholders on every prepare unless the
    // text is cached, and caches only texts up to this length (default 256). The hot statements
    // are longer (a 100-job INSERT is ~2.5 KB, a claim of 250 ids ~1.5 KB): parsing the INSERT
    // alone took 13% of the server's CPU on 100-job enqueues. 500 entries of at most 4 KB of
    // text (~40 KB parsed) bound the cache at ~20 MB per connection, if ever full.
    p.setProperty("prepStmtCacheSqlLimit", String.valueOf(PREPARED_TEXT_CACHE_LIMIT));
    p.setProperty("tcpKeepAlive", "true");
    // Multi-statement texts: a claim sends START TRANSACTION with its SELECT and COMMIT with its
    // UPDATE (MySqlQueries#startingTransaction), and a batch of UPDATEs goes as one text without
    // the driver switching the option on and off around it (two more round trips each time).
    p.setProperty("allowMultiQueries", "true");
    // Statements the hot path does not need: the driver keeps autocommit and isolation itself
    // instead of asking or re-setting them, and sends COMMIT/ROLLBACK only inside a transaction.
    p.setProperty("useLocalSessionState", "true");
    p.setProperty("useLocalTransactionState", "true");
    // New connections (after a shard restart, or pool growth) skip re-reading the server's settings.
    p.setProperty("cacheServerConfiguration", "true");
    p.setProperty("allowPublicKeyRetrieval", "true");
    return p;
  }

  static final int PREPARED_TEXT_CACHE_LIMIT = 4096;

  static String jdbcUrl(ShardSpec shard) {
    return "jdbc:mysql://" + shard.host() + ":" + shard.port() + "/" + shard.database();
  }
}
