package io.hourglass.server.queue;

/**
 * A job handed to a dequeuer. {@code attemptsRemaining} is PinLater's count: it still includes the
 * attempt being handed out, so 1 means this is the last (see {@link JobState#visibleAttemptsRemaining}).
 */
public record ClaimedJob(
    JobDescriptor descriptor, byte[] body, int attemptsAllowed, int attemptsRemaining) {}
