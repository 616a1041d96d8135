package io.hourglass.server.mysql;

import io.hourglass.server.config.ShardSpec;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;

/**
 * Connections to one shard outside its request pool: the health probe must not queue behind
 * busy requests (nor wait the pool's connect timeout), and a maintenance lock lives exactly as
 * long as its connection, which must never go back to a pool still holding the lock.
 */
final class DirectConnections {
  private final ShardSpec shard;

  DirectConnections(ShardSpec shard) {
    this.shard = shard;
  }

  Connection open(Duration connectTimeout, Duration socketTimeout) throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", shard.user());
    p.setProperty("password", shard.password());
    p.setProperty("connectTimeout", String.valueOf(connectTimeout.toMillis()));
    p.setProperty("socketTimeout", String.valueOf(socketTimeout.toMillis()));
    p.setProperty("createDatabaseIfNotExist", "true");
    p.setProperty("allowPublicKeyRetrieval", "true");
    p.setProperty("tcpKeepAlive", "true");
    return DriverManager.getConnection(ShardPool.jdbcUrl(shard), p);
  }
}
