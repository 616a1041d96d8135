package io.hourglass.client.worker;

/**
 * The user's code for one job. Returning normally acks the job as succeeded; throwing acks it as
 * failed, and the job is retried after the worker's retry backoff while it has attempts left.
 * Runs on a worker thread; may block. Handlers should be idempotent: delivery is at least once.
 */
@FunctionalInterface
public interface JobHandler {
  void handle(Job job) throws Exception;
}
