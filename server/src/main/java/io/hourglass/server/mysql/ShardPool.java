package io.hourglass.server.mysql;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.hourglass.server.config.PoolSettings;
import io.hourglass.server.config.ShardSpec;

/** Builds the HikariCP pool of one shard. */
final class ShardPool {
  private ShardPool() {}

  static HikariDataSource open(ShardSpec shard, PoolSettings settings) {
    HikariConfig c = new HikariConfig();
    c.setPoolName("shard-" + shard.id());
    c.setJdbcUrl(jdbcUrl(shard));
    c.setUsername(shard.user());
    c.setPassword(shard.password());
    c.setMaximumPoolSize(settings.maxConnections());
    c.setMinimumIdle(Math.min(2, settings.maxConnections()));
    c.setConnectionTimeout(settings.connectTimeout().toMillis());
    // Start even when the shard is down; it joins as soon as it answers.
    c.setInitializationFailTimeout(-1);
    // SKIP LOCKED claims are cheap and gap-lock free under READ COMMITTED (see DESIGN.md §4).
    c.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
    c.addDataSourceProperty("createDatabaseIfNotExist", "true");
    // A batch of INSERTs becomes one multi-row INSERT (one statement, one fsync per enqueue).
    c.addDataSourceProperty("rewriteBatchedStatements", "true");
    // Update counts are rows changed, not rows matched: acks report what they really moved.
    c.addDataSourceProperty("useAffectedRows", "true");
    c.addDataSourceProperty("connectTimeout", String.valueOf(settings.connectTimeout().toMillis()));
    c.addDataSourceProperty("socketTimeout", String.valueOf(settings.socketTimeout().toMillis()));
    c.addDataSourceProperty("cachePrepStmts", "true");
    c.addDataSourceProperty("prepStmtCacheSize", "500");
    c.addDataSourceProperty("tcpKeepAlive", "true");
    c.addDataSourceProperty("allowPublicKeyRetrieval", "true");
    return new HikariDataSource(c);
  }

  static String jdbcUrl(ShardSpec shard) {
    return "jdbc:mysql://" + shard.host() + ":" + shard.port() + "/" + shard.database();
  }
}
