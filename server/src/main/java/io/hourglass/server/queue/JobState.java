package io.hourglass.server.queue;

/**
 * The lifecycle of a job; the stored code of each state is the PinLater enum value.
 *
 * <ul>
 *   <li>{@link #PENDING}: set by enqueue, failure acks with attempts left, claim-timeout rescue,
 *       checkpoint {@code moveToPending} and retry-failed. Left by a claim (dequeue).
 *   <li>{@link #IN_PROGRESS}: set by a claim. Left by an ack, a checkpoint that moves it to
 *       pending, or claim-timeout rescue.
 *   <li>{@link #SUCCEEDED}, {@link #FAILED}: final; left only through garbage collection (and
 *       retry-failed for FAILED).
 * </ul>
 */
public enum JobState {
  PENDING(0),
  IN_PROGRESS(1),
  SUCCEEDED(2),
  FAILED(3);

  private final int code;

  JobState(int code) {
    this.code = code;
  }

  /** The value stored in the {@code state} column and sent over Thrift. */
  public int code() {
    return code;
  }

  /**
   * The attempts-remaining count clients see for a job in this state, given the stored one.
   * Clients see PinLater's numbers: the running attempt still counts as remaining until a failure
   * ack or a claim-timeout rescue takes it, so a job with 2 attempts is handed out with 2 left,
   * then (after a failure) with 1 — its last attempt — and fails with 0. Storage instead takes the
   * attempt when the job is claimed (rescue and the failure ack then need no arithmetic, and a
   * claim released unused gives it back), so an IN_PROGRESS job, and a SUCCEEDED one (its claim's
   * attempt was never failed), is stored with one less than it shows.
   */
  public int visibleAttemptsRemaining(int stored) {
    return this == IN_PROGRESS || this == SUCCEEDED ? stored + 1 : stored;
  }

  public static JobState fromCode(int code) {
    for (JobState s : values()) {
      if (s.code == code) {
        return s;
      }
    }
    throw new IllegalArgumentException("unknown job state code " + code);
  }
}
