package io.hourglass.client.worker;

/**
 * One dequeued job, as a {@link JobHandler} sees it.
 *
 * @param queue             the queue it came from
 * @param descriptor        its opaque id ({@code queue:s<shard>:p<priority>:<localId>})
 * @param body              the body as enqueued; owned by this job, not copied again
 * @param attemptsAllowed   attempts in all (first run plus retries)
 * @param attemptsRemaining PinLater's count: attempts left including this one; 1 means this is the last
 */
public record Job(String queue, String descriptor, byte[] body, int attemptsAllowed, int attemptsRemaining) {

  /** 1 for the first run, 2 for the first retry, and so on. */
  public int attempt() {
    return attemptsAllowed - attemptsRemaining + 1;
  }

  public boolean isLastAttempt() {
    return attemptsRemaining <= 1;
  }
}
