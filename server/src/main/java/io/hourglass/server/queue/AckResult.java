package io.hourglass.server.queue;

import java.util.List;

/**
 * Outcome of an ack request: how many jobs actually moved, and the acks that could not be
 * applied because their shard failed ({@code failure} is the first such error, else null).
 */
public record AckResult(int succeeded, int failed, List<Ack> unapplied, QueueException failure) {}
