package io.hourglass.server.queue;

import java.util.List;
import java.util.Set;

/**
 * The storage seam: one shard's job storage. Methods are lifecycle verbs that take domain
 * records; each call is one short transaction (or one statement) on the shard. Implementations
 * translate their own failures to {@link QueueException}: QUEUE_NOT_FOUND when the queue does
 * not exist on this shard, SHARD_CONNECTION_FAILED when the shard cannot be reached.
 */
public interface QueueBackend extends AutoCloseable {

  /** The shard id that appears in this shard's job descriptors. */
  int shardId();

  /** Creates the queue on this shard; a no-op when it exists. */
  void createQueue(QueueName queue);

  /** Drops the queue and its jobs on this shard; a no-op when it does not exist. */
  void deleteQueue(QueueName queue);

  Set<String> queueNames();

  /** Stores the jobs atomically; returns their descriptors in the order given. */
  List<JobDescriptor> enqueue(QueueName queue, List<NewJob> jobs);

  /**
   * Moves up to {@code limit} PENDING jobs of one priority whose runAfter has passed to
   * IN_PROGRESS, earliest runAfter first, using one attempt each. Concurrent claims never return
   * the same job and do not wait for each other's rows.
   */
  List<ClaimedJob> claim(ClaimRequest request);

  /** Undoes a claim whose jobs never reached the dequeuer: back to PENDING, attempt restored. */
  int releaseClaims(QueueName queue, List<JobDescriptor> jobs);

  /**
   * IN_PROGRESS jobs claimed by exactly {@code claimant} → SUCCEEDED. Other jobs are untouched
   * (a late ack must not finish a job another worker has claimed since). Returns how many moved.
   */
  int ackSucceeded(QueueName queue, String claimant, List<Ack> acks);

  /**
   * IN_PROGRESS jobs claimed by exactly {@code claimant} → PENDING after their retry delay when
   * attempts remain, else FAILED. Other jobs are untouched. Returns how many moved.
   */
  int ackFailed(QueueName queue, String claimant, List<Ack> acks);

  /** What {@link #claim} would return, read without claiming (attempts not used). */
  List<ClaimedJob> peek(ClaimRequest request);

  /**
   * Applies checkpoints to jobs that are IN_PROGRESS and claimed by exactly {@code claimant};
   * others are left alone. Returns how many jobs changed.
   */
  int checkpoint(QueueName queue, String claimant, List<Checkpoint> checkpoints);

  /** Exact number of jobs matching the filter. */
  long count(JobFilter filter);

  /**
   * Up to {@code limit} matching jobs (no bodies) in scan order (see {@link ScanCursor}),
   * strictly after {@code after} when it is not null.
   */
  List<JobInfo> scan(JobFilter filter, ScanCursor after, int limit);

  /** Moves up to {@code limit} FAILED jobs back to PENDING; returns how many moved. */
  int retryFailed(RetryFailedRequest request);

  /** Deletes up to {@code limit} matching jobs, oldest id first; returns how many went. */
  int deleteJobs(JobFilter filter, int limit);

  /** The jobs found among {@code ids}; missing ones are left out. */
  List<JobInfo> lookup(QueueName queue, List<Long> ids, boolean includeBody);

  @Override
  void close();
}
