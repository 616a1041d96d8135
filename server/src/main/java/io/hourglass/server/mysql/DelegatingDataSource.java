package io.hourglass.server.mysql;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A data source that hands out its delegate's connections through {@link #opened}; everything
 * else is the delegate's. The wrappers a shard's pools connect through (gate, time limit) are
 * each one small subclass.
 */
abstract class DelegatingDataSource implements DataSource {
  private final DataSource delegate;

  DelegatingDataSource(DataSource delegate) {
    this.delegate = delegate;
  }

  /** Called before each new connection is opened; by default nothing. */
  void beforeConnect() throws SQLException {}

  /** What a new connection goes through before the pool gets it; by default nothing. */
  Connection opened(Connection c) throws SQLException {
    return c;
  }

  @Override
  public final Connection getConnection() throws SQLException {
    beforeConnect();
    return opened(delegate.getConnection());
  }

  @Override
  public final Connection getConnection(String username, String password) throws SQLException {
    beforeConnect();
    return opened(delegate.getConnection(username, password));
  }

  @Override
  public PrintWriter getLogWriter() throws SQLException {
    return delegate.getLogWriter();
  }

  @Override
  public void setLogWriter(PrintWriter out) throws SQLException {
    delegate.setLogWriter(out);
  }

  @Override
  public void setLoginTimeout(int seconds) throws SQLException {
    delegate.setLoginTimeout(seconds);
  }

  @Override
  public int getLoginTimeout() throws SQLException {
    return delegate.getLoginTimeout();
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    return delegate.getParentLogger();
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    return iface.isInstance(this) ? iface.cast(this) : delegate.unwrap(iface);
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) throws SQLException {
    return iface.isInstance(this) || delegate.isWrapperFor(iface);
  }
}
