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

  /**
   * Stores the jobs atomically; returns, in the order given, what happened to each. A job whose
   * unique key an unfinished (PENDING or IN_PROGRESS) job of the queue holds — stored earlier
   * or earlier in this same list — is not stored: its entry is the holder, marked existing.
   * Enforced by the storage (a unique primary key, whose existing rows an enqueue locks before
   * it reads their holders), so concurrent enqueues of one key store one job.
   */
  List<EnqueuedJob> enqueueJobs(QueueName queue, List<NewJob> jobs);

  /** {@link #enqueueJobs}, descriptors only. */
  default List<JobDescriptor> enqueue(QueueName queue, List<NewJob> jobs) {
    return enqueueJobs(queue, jobs).stream().map(EnqueuedJob::descriptor).toList();
  }

  /**
   * Moves up to {@code limit} PENDING jobs of one priority whose runAfter has passed and that
   * have not expired to IN_PROGRESS, earliest runAfter first, using one attempt each. Concurrent claims never return
   * the same job and do not wait for each other's rows.
   */
  List<ClaimedJob> claim(ClaimRequest request);

  /**
   * Undoes a claim whose jobs never reached the dequeuer: back to PENDING, attempt restored. Only
   * jobs still IN_PROGRESS for {@code claimant} move: a claim released late (its shard answered
   * after the dequeue gave up on it) must not take back a job someone else has claimed since.
   */
  int releaseClaims(QueueName queue, String claimant, List<JobDescriptor> jobs);

  /**
   * IN_PROGRESS jobs claimed by exactly {@code claimant} → SUCCEEDED. Other jobs are untouched
   * (a late ack must not finish a job another worker has claimed since). Returns how many moved.
   */
  int ackSucceeded(QueueName queue, String claimant, List<Ack> acks);

  /**
   * IN_PROGRESS jobs claimed by exactly {@code claimant} → PENDING after their retry delay (the
   * ack's, or its retry policy's) when attempts remain and the ack does not give up, else
   * FAILED. Each moved job gets an {@link Attempt} in its history (the last
   * {@link Attempt#HISTORY_SIZE} are kept). Other jobs are untouched. Returns how many moved.
   */
  int ackFailed(QueueName queue, String claimant, List<Ack> acks);

  /**
   * How many PENDING jobs of each priority 1..{@code priorityLevels} are runnable now, each count
   * capped at {@code capPerPriority}; priorities without any are left out. The long-poll probe:
   * one statement however many priorities, so idle waiters cost one statement per shard per poll.
   */
  java.util.Map<Integer, Integer> runnableCounts(QueueName queue, int priorityLevels, int capPerPriority);

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

  // --- maintenance ---

  /**
   * Runs a trivial statement on a connection outside the request pool, waiting at most
   * {@code timeout} to connect and to get the answer. Throws SHARD_CONNECTION_FAILED when the
   * shard does not answer in time. By default: always answers (storage in this process).
   */
  default void probe(java.time.Duration timeout) {}

  /**
   * Claim-timeout rescue: IN_PROGRESS jobs last updated before {@code claimedBeforeMillis} go back
   * to PENDING when attempts remain (their claim already used one), else to FAILED; each gets a
   * {@link Attempt#CLAIM_TIMED_OUT} entry in its history. Moves at most {@code limit} jobs to
   * each state, longest-claimed first.
   */
  RescueResult rescueExpiredClaims(QueueName queue, long claimedBeforeMillis, int limit);

  /**
   * Expiry sweep: up to {@code limit} PENDING jobs whose expiry is at or before
   * {@code nowMillis} → FAILED, custom status "expired at &lt;ISO-8601 time&gt;" put in front of
   * the old one, soonest expiry first. Their expiry is cleared, so retry-failed redrives them
   * like any failed job. Returns how many moved.
   */
  int expireJobs(QueueName queue, long nowMillis, int limit);

  /**
   * Whether any PENDING job of {@code queue} has an expiry at or before {@code nowMillis}: a
   * plain read that takes no lock, so the expiry sweep can skip its lease when nothing is due.
   */
  boolean hasExpiredJobs(QueueName queue, long nowMillis);

  /**
   * Deletes up to {@code limit} jobs in the final {@code state} (SUCCEEDED or FAILED) last
   * updated before {@code finishedBeforeMillis}, oldest first; returns how many went.
   */
  int pruneFinished(QueueName queue, JobState state, long finishedBeforeMillis, int limit);

  /** PENDING plus IN_PROGRESS jobs per queue of this shard; queues without any are left out. */
  java.util.Map<String, Long> unfinishedJobs();

  /**
   * Tries to become the one server that runs {@code task} on this shard now. Not acquired when
   * another server holds it, or ran it less than {@code minIntervalMillis} before
   * {@code nowMillis}; when acquired, this run is recorded at {@code nowMillis}. By default
   * (storage only this server sees): always acquired.
   */
  default MaintenanceLease tryLease(String task, long nowMillis, long minIntervalMillis) {
    return MaintenanceLease.holdingNothing(MaintenanceLease.Outcome.ACQUIRED);
  }

  /**
   * Records that server {@code serverId} is alive at {@code nowMillis}; returns how many
   * servers (itself included) did so at or after {@code liveSinceMillis}. By default: 1.
   */
  default int heartbeat(String serverId, long nowMillis, long liveSinceMillis) {
    return 1;
  }

  /** Removes a server's heartbeat (it is shutting down). */
  default void leaveHeartbeat(String serverId) {}

  /** The dashboard's state on this shard; by default (storage no other server sees): none. */
  default DashboardStore dashboard() {
    throw new UnsupportedOperationException("this storage keeps no dashboard state");
  }
  // --- schedules (kept on one shard, see schedule.Schedules) ---

  /**
   * Stores a validated schedule created at {@code createdAtMillis} (which anchors interval
   * ticks) whose first tick is {@code firstFireAtMillis}.
   */
  Schedule createSchedule(ScheduleSpec spec, long createdAtMillis, long firstFireAtMillis);

  /** Every schedule of {@code queue} (all queues when null), by id. */
  List<Schedule> listSchedules(QueueName queue);

  /** Deletes a schedule; returns whether it existed. */
  boolean deleteSchedule(long id);

  /** Up to {@code limit} schedules whose next tick is at or before {@code nowMillis}, soonest first. */
  List<Schedule> dueSchedules(long nowMillis, int limit);

  /**
   * Moves a schedule's next tick from {@code expectedNextMillis} to {@code newNextMillis}; a
   * no-op returning false when another server moved it first (or it was deleted).
   */
  boolean advanceSchedule(long id, long expectedNextMillis, long newNextMillis);

  @Override
  void close();
}
