package io.hourglass.server.queue;

/**
 * The right to run one maintenance task on one shard for one cycle. At most one server holds it
 * at a time (a database lock held on a connection of its own), and a server that gets it shortly
 * after another one ran the task is told so, so N servers do the work once per cycle, not N
 * times. Closing releases it.
 */
public interface MaintenanceLease extends AutoCloseable {

  enum Outcome {
    /** This server runs the task now. */
    ACQUIRED,
    /** Another server is running it on this shard right now. */
    HELD_ELSEWHERE,
    /** Some server ran it less than an interval ago. */
    RAN_RECENTLY
  }

  Outcome outcome();

  default boolean acquired() {
    return outcome() == Outcome.ACQUIRED;
  }

  @Override
  void close();

  /**
   * A lease that holds nothing to release: one that was not acquired, or (ACQUIRED) the lease
   * of storage that only this server sees.
   */
  static MaintenanceLease holdingNothing(Outcome outcome) {
    return new NothingHeld(outcome);
  }

  /** See {@link #holdingNothing}. */
  record NothingHeld(Outcome outcome) implements MaintenanceLease {
    @Override
    public void close() {}
  }
}
