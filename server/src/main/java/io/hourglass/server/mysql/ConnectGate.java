package io.hourglass.server.mysql;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;

/**
 * Holds back the new physical connections of one shard's pools while the shard is known not to
 * answer, and lets them through the moment a probe sees it answer again.
 *
 * <p>How is this designed, and why? HikariCP retries a failed connect with a backoff that doubles
 * from 10 ms to 5 s and cannot be reset. Left alone, a pool whose shard was down for a few
 * seconds is asleep in that backoff when the shard comes back: the probe (on its own connection)
 * says "up", the first request waits the pool's connect timeout on an empty pool and takes the
 * shard out again — the restarted shard flapped in and out until the backoff ran out. With the
 * gate shut, the pool's connection adder waits here instead of failing, so its backoff never
 * grows while the shard is down, and it connects as soon as {@link #open()} is called.
 */
final class ConnectGate {
  private boolean open = true;
  private boolean closed;

  /** The shard answered a probe: pending and future connects go ahead. */
  synchronized void open() {
    open = true;
    notifyAll();
  }

  /** The shard is down: connects wait for the next good probe. */
  synchronized void shut() {
    if (!closed) {
      open = false;
    }
  }

  /** The pools are closing: nobody waits here any more, now or later. */
  synchronized void close() {
    closed = true;
    open();
  }

  synchronized boolean isOpen() {
    return open;
  }

  /** Waits until the gate is open (HikariCP's adder thread blocks here while the shard is down). */
  synchronized void awaitOpen() throws SQLException {
    try {
      while (!open) {
        wait();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SQLTransientConnectionException("interrupted while the shard was down", "08001", e);
    }
  }
}
