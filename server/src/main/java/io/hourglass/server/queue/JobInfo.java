package io.hourglass.server.queue;

import java.util.List;

/**
 * Everything stored about a job; {@code body} is null when it was not asked for.
 *
 * @param uniqueKey null when the job has none
 * @param expiresAtMillis null when the job never expires
 * @param attempts the last {@link Attempt#HISTORY_SIZE} failed attempts, oldest first
 */
public record JobInfo(
    JobDescriptor descriptor,
    JobState state,
    int attemptsAllowed,
    int attemptsRemaining,
    String customStatus,
    long createdAtMillis,
    long runAfterMillis,
    long updatedAtMillis,
    String claimDescriptor,
    byte[] body,
    String uniqueKey,
    Long expiresAtMillis,
    List<Attempt> attempts) {

  public JobInfo {
    attempts = attempts == null ? List.of() : List.copyOf(attempts);
  }

  /** A job with none of the extensions' fields. */
  public JobInfo(JobDescriptor descriptor, JobState state, int attemptsAllowed, int attemptsRemaining,
      String customStatus, long createdAtMillis, long runAfterMillis, long updatedAtMillis, String claimDescriptor,
      byte[] body) {
    this(descriptor, state, attemptsAllowed, attemptsRemaining, customStatus, createdAtMillis, runAfterMillis,
        updatedAtMillis, claimDescriptor, body, null, null, List.of());
  }
}
