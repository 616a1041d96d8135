package io.hourglass.server.queue;

/** A validated job to store. Times are epoch milliseconds from the server's clock. */
public record NewJob(
    byte[] body, int priority, long runAfterMillis, int attemptsAllowed, String customStatus) {}
