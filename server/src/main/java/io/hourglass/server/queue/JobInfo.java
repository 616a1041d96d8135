package io.hourglass.server.queue;

/** Everything stored about a job; {@code body} is null when it was not asked for. */
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
    byte[] body) {}
