package io.hourglass.server.queue;

/**
 * One failed attempt of a job, as kept in its attempt history (the last
 * {@link #HISTORY_SIZE}): recorded by failure acks and by claim-timeout rescue.
 *
 * @param attempt 1 for the first attempt (attemptsAllowed − attemptsRemaining after the claim)
 * @param atMillis when it was recorded
 * @param claimant who held the claim (RequestContext.source of the dequeue)
 * @param status the failure ack's appendCustomStatus, or {@link #CLAIM_TIMED_OUT}
 */
public record Attempt(int attempt, long atMillis, String claimant, String status) {
  public static final int HISTORY_SIZE = 10;
  /** Status of the entry claim-timeout rescue records. */
  public static final String CLAIM_TIMED_OUT = "claim timed out";
}
