package io.hourglass.server.mysql;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ConnectGateTest {
  @Test
  void connectsWaitWhileShutAndGoAheadWhenAProbeOpensIt() throws Exception {
    ConnectGate gate = new ConnectGate();
    gate.shut();
    CompletableFuture<Void> connect = CompletableFuture.runAsync(() -> {
      try {
        gate.awaitOpen();
      } catch (java.sql.SQLException e) {
        throw new IllegalStateException(e);
      }
    });
    Thread.sleep(200);
    assertFalse(connect.isDone(), "a connect went ahead while the shard was down");
    gate.open();
    connect.get(5, TimeUnit.SECONDS);
  }

  @Test
  void closingReleasesWaitersAndKeepsTheGateOpen() throws Exception {
    ConnectGate gate = new ConnectGate();
    gate.shut();
    CompletableFuture<Void> connect = CompletableFuture.runAsync(() -> {
      try {
        gate.awaitOpen();
      } catch (java.sql.SQLException e) {
        throw new IllegalStateException(e);
      }
    });
    gate.close();
    connect.get(5, TimeUnit.SECONDS);
    gate.shut();
    assertTrue(gate.isOpen(), "a closed gate was shut again: a closing pool's adder would wait for ever");
  }
}
