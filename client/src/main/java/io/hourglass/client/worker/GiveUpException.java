package io.hourglass.client.worker;

/**
 * Thrown by a {@link JobHandler} to fail the job for good: its failure ack carries
 * {@code giveUp} (EXTENSION), so the server moves it to FAILED whatever attempts remain (e.g.
 * the input is invalid and a retry can only fail again). Any other exception is retried while
 * attempts remain.
 */
public class GiveUpException extends RuntimeException {
  public GiveUpException(String message) {
    super(message);
  }

  public GiveUpException(String message, Throwable cause) {
    super(message, cause);
  }
}
