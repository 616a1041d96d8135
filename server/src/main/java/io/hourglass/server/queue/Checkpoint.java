package io.hourglass.server.queue;

/**
 * A checkpoint of one IN_PROGRESS job by its claimant. Null fields leave the stored value alone.
 *
 * @param runAfterMillis used only with {@code moveToPending}
 */
public record Checkpoint(
    JobDescriptor descriptor,
    byte[] newBody,
    boolean moveToPending,
    long runAfterMillis,
    Integer attemptsAllowed,
    String prependCustomStatus) {}
