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

  public static JobState fromCode(int code) {
    for (JobState s : values()) {
      if (s.code == code) {
        return s;
      }
    }
    throw new IllegalArgumentException("unknown job state code " + code);
  }
}
