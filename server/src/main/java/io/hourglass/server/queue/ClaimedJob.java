package io.hourglass.server.queue;

/** A job handed to a dequeuer. {@code attemptsRemaining} already counts this attempt as used. */
public record ClaimedJob(
    JobDescriptor descriptor, byte[] body, int attemptsAllowed, int attemptsRemaining) {}
