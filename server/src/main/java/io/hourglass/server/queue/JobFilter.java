package io.hourglass.server.queue;

/**
 * Which jobs of a queue a count, scan or delete looks at.
 *
 * @param priority null for every priority
 * @param future null for any runAfter; false: runnable now (runAfter <= now); true: later
 * @param bodyRegex null for any body; else a MySQL regular expression matched against the body
 */
public record JobFilter(QueueName queue, JobState state, Integer priority, Boolean future, String bodyRegex) {}
