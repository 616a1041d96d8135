package io.hourglass.server.mysql;

import java.sql.SQLException;
import javax.sql.DataSource;

/** A pool's data source whose new connections wait at the shard's {@link ConnectGate}. */
final class GatedDataSource extends DelegatingDataSource {
  private final ConnectGate gate;

  GatedDataSource(DataSource delegate, ConnectGate gate) {
    super(delegate);
    this.gate = gate;
  }

  @Override
  void beforeConnect() throws SQLException {
    gate.awaitOpen();
  }
}
