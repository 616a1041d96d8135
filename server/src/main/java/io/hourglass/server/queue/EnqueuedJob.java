package io.hourglass.server.queue;

/**
 * What an enqueue did with one job: stored it under {@code descriptor}, or ({@code existing})
 * stored nothing because an unfinished job of the queue already holds its unique key, whose
 * descriptor this is.
 */
public record EnqueuedJob(JobDescriptor descriptor, boolean existing) {
  public static EnqueuedJob stored(JobDescriptor d) {
    return new EnqueuedJob(d, false);
  }

  public static EnqueuedJob existing(JobDescriptor d) {
    return new EnqueuedJob(d, true);
  }
}
