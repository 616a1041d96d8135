package io.hourglass.server.queue;

/**
 * Claim up to {@code limit} runnable jobs of one priority for {@code claimant}
 * (RequestContext.source, already truncated to {@link Limits#CLAIMANT_MAX_CHARS}).
 */
public record ClaimRequest(QueueName queue, int priority, int limit, String claimant) {}
