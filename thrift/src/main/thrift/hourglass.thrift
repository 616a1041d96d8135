/*
 * Hourglass: a sharded, durable job queue.
 *
 * This IDL is wire-compatible with the PinLater IDL: every method name, argument id, struct
 * field id, type, requiredness, default and enum value is the same, so a client generated from
 * the PinLater IDL (any language, framed transport + binary protocol with strict message headers,
 * which every generated client sends) works against Hourglass unchanged. Extensions only ever come as new optional fields (new ids) or new methods, and are
 * marked "EXTENSION" below.
 *
 * Vocabulary:
 *   job descriptor  "<queue>:s<shardId>:p<priority>:<localId>", e.g. "emails:s2:p1:1734".
 *                   Treat it as opaque; the server rejects a malformed one with
 *                   CONTINUATION_INVALID (400, "bad argument"), naming the field.
 *   queue name      1 to 60 characters from [A-Za-z0-9_]; case-sensitive.
 *   priority        1 (highest) .. the server's configured number of levels (default 3).
 *   timestamps      milliseconds since the Unix epoch, taken from the server's clock.
 */

namespace java io.hourglass.thrift
namespace py hourglass_thrift
namespace js hourglass

/*
 * Every expected failure is a PinLaterException carrying one of these codes, with a message
 * that names the field at fault. 4xx: the request is wrong and retrying it unchanged will fail
 * again. 5xx: the server or a shard failed; the request may be retried.
 */
enum ErrorCode {
  // Client errors: 400 - 499
  /* The generic "bad argument" code (HTTP 400): a scanJobs continuation token this server did
     not issue, and any other malformed argument (non-positive limit, invalid regex, malformed
     job descriptor, attempts < 1, missing body, ...). The message names the field. */
  CONTINUATION_INVALID = 400,
  PASSWORD_INVALID = 403,
  /* queue name not made of [A-Za-z0-9_], or empty. */
  QUEUE_NAME_INVALID = 410,
  /* queue name longer than 60 characters. */
  QUEUE_NAME_TOO_LONG = 411,
  QUEUE_NOT_FOUND = 413,
  /* priority outside 1..(configured priority levels). */
  PRIORITY_NOT_SUPPORTED = 416,
  DEQUEUE_RATE_LIMITED = 429,
  /* admission control: the server refuses more work right now (enqueue.maxConcurrent enqueues
     already running); nothing was stored, retry with backoff. */
  ENQUEUE_REJECTED = 430,

  // Server errors: 500 - 599
  UNKNOWN = 500,
  NO_HEALTHY_SHARDS = 501,
  SHARD_CONNECTION_FAILED = 502,
}

/*
 * Job lifecycle (who moves a job out of each state):
 *
 *   enqueueJobs ──► PENDING ──dequeueJobs──► IN_PROGRESS ──ack success──► SUCCEEDED
 *                      ▲                        │    │
 *                      │  ack failure with      │    └─ack failure, no attempts left─► FAILED
 *                      └──attempts left, or ────┘
 *                         claim timeout rescue / checkpoint moveToPending
 *
 * attemptsRemaining counts as PinLater does: the running attempt is still remaining until a
 * failure ack (or claim-timeout rescue) uses it up. A job with 2 attempts is handed out with
 * attemptsRemaining = 2; a failure ack puts it back to PENDING with 1; it is handed out again with
 * 1 (its last attempt) and a failure ack then makes it FAILED with 0. A success ack leaves the
 * count as it was while the job ran. SUCCEEDED and FAILED jobs are garbage-collected after a
 * retention period; retryFailedJobs moves FAILED jobs back to PENDING.
 */
enum PinLaterJobState {
  PENDING = 0,
  IN_PROGRESS = 1,
  SUCCEEDED = 2,
  FAILED = 3,
}

const string CONTINUATION_START = "0"
const string CONTINUATION_END = "-1"

/*
 * One job. Only the body is required; it is stored as given (at most 16 MiB).
 *   priority                 1 (highest) .. configured levels. Default 1.
 *   runAfterTimestampMillis  not dequeued before this time. Default: now.
 *   numAttemptsAllowed       attempts in all (first run plus retries); must be >= 1.
 *                            Default 2, i.e. one retry. Zero or negative is rejected.
 *   customStatus             free text for humans; truncated to 1000 characters (Unicode code
 *                            points; a cut never splits one), never an error.
 */
struct PinLaterJob {
  1: required binary body;
  2: optional byte priority = 1;
  3: optional i64 runAfterTimestampMillis;
  4: optional i32 numAttemptsAllowed = 2;
  5: optional string customStatus = "";
  /* EXTENSION (unique jobs). At most one unfinished (PENDING or IN_PROGRESS) job of the queue
     holds a key: enqueueing a job whose key is held stores nothing and returns the holder's
     descriptor (listed in PinLaterEnqueueResponse.existingJobIndexes). Keys are 1 to 255
     characters, compared exactly (case and spaces count); a job that finishes (SUCCEEDED or
     FAILED) releases its key. Keyed jobs go to the shard their key hashes to; when that shard is
     down the enqueue fails with SHARD_CONNECTION_FAILED instead of storing the job elsewhere.
     Adding or draining a shard moves some keys: a key whose holder sits on its old shard can
     then be enqueued once more. */
  6: optional string uniqueKey;
  /* EXTENSION (expiry). A job not dequeued by this time is never handed out: it moves to FAILED
     with the custom status "expired at <ISO-8601 time>" in front of its old one (countable,
     scannable, and retryFailedJobs redrives it without the expiry). Must be after
     runAfterTimestampMillis. Unset: never expires. */
  7: optional i64 expiresAtTimestampMillis;
}

struct PinLaterEnqueueRequest {
  1: required string queueName;
  2: required list<PinLaterJob> jobs;
}

/* One descriptor per job, in the order of the request's jobs. A returned descriptor means the
   job is committed to a shard's disk. */
struct PinLaterEnqueueResponse {
  1: required list<string> jobDescriptors;
  /* EXTENSION (unique jobs). Indexes into jobDescriptors (and the request's jobs) of the jobs
     that were not stored because an unfinished job already held their uniqueKey: their
     descriptor is the holder's. Absent or empty when every job was stored. */
  2: optional list<i32> existingJobIndexes;
}

/*
 * One job to acknowledge. Only jobs that are IN_PROGRESS and were claimed by this request's
 * RequestContext.source (exact match) are moved: acking a job that nobody dequeued, one already
 * acked, or one claimed again by another worker since (after a claim timeout) changes nothing.
 *   appendCustomStatus  appended to the job's custom status (the result is truncated to 1000
 *                       characters).
 *   retryDelayMillis    failure acks only: a job with attempts left becomes PENDING again with
 *                       runAfter = now + retryDelayMillis (the sum saturates: 2^63-1 means
 *                       "never", not "at once"). Ignored for success acks and for jobs with
 *                       no attempts left (those become FAILED).
 */
struct PinLaterJobAckInfo {
  1: required string jobDescriptor;
  2: optional string appendCustomStatus = "";
  3: optional i64 retryDelayMillis = 0;
  /* EXTENSION (give up). Failure acks only: the job goes to FAILED at once, whatever attempts
     remain. */
  4: optional bool giveUp = 0;
  /* EXTENSION (retry policy). Failure acks only: leave the delay to the server. When the
     queue's settings have a retry policy, the retry waits what the policy says for this attempt
     and retryDelayMillis is ignored; when they have none, retryDelayMillis applies as usual.
     False (the default, and what PinLater clients send): retryDelayMillis always applies. */
  5: optional bool retryDelayFromQueuePolicy = 0;
}

struct PinLaterJobAckRequest {
  1: required string queueName;
  2: optional list<PinLaterJobAckInfo> jobsSucceeded;
  3: optional list<PinLaterJobAckInfo> jobsFailed;
}

/*
 * limit          at most this many jobs are returned; must be >= 1.
 * jobAckRequest  acks to apply before dequeuing (same queue). Always applied, also when the
 *                dequeue returns nothing or is refused.
 * limit          values above the server's dequeue.maxLimit (default 10000) are clamped.
 * dryRun         return eligible jobs without claiming them (no attempt is used).
 * coverage       fraction (0, 1] of shards to look at (ceil(coverage * shards), at least one,
 *                a different random subset each call); 1.0 looks at all of them.
 * waitMillis     EXTENSION (long poll). When no job is runnable, wait up to this long (clamped
 *                to the server's dequeue.maxWaitMillis, default 20000) for one instead of
 *                answering empty at once. Jobs that become runnable through the same server
 *                (enqueue, retry, failure ack with attempts left, release, rescue) end the wait
 *                at once, waking only as many waiters as they can serve; through other
 *                servers, within dequeue.pollMillis (100): one probe per queue, not per waiter.
 *                A waiter whose connection closes is dropped and claims nothing. 0 (the
 *                default) never waits; ignored with dryRun. Set the client's request timeout
 *                above it.
 */
struct PinLaterDequeueRequest {
  1: required string queueName;
  2: required i32 limit;
  3: optional PinLaterJobAckRequest jobAckRequest;
  4: optional bool dryRun = 0;
  5: optional double coverage = 1.0;
  6: optional i32 waitMillis = 0;
}

/* attemptsRemaining counts the attempt just handed out (PinLater's count): 1 means it is the last. */
struct PinLaterDequeueMetadata {
  1: optional i32 attemptsAllowed;
  2: optional i32 attemptsRemaining;
}

/*
 * jobs maps descriptor to body for every job handed out; jobMetadata has the same keys.
 * Jobs come in strict priority order across all shards (every shard's priority-1 jobs before
 * any priority-2 job), earliest runAfter first within a priority.
 */
struct PinLaterDequeueResponse {
  1: optional map<string, binary> jobs;
  2: optional map<string, PinLaterDequeueMetadata> jobMetadata;
  /* EXTENSION. Descriptors of piggy-backed acks (jobAckRequest) that could not be applied
     because their shard cannot be reached right now, or that were still running 100 ms after the
     claim (they may still apply); the dequeue itself was still served by the other shards. Send
     them again later (acks are idempotent). A client that ignores this field loses those acks:
     the jobs then come back after their claim timeout (at-least-once). */
  3: optional list<string> unappliedAckDescriptors;
}

/*
 * A checkpoint is accepted only from the claimant: the job must be IN_PROGRESS and claimed by a
 * request whose RequestContext.source equals this request's source exactly (not a substring or
 * case-insensitive match). Anything else is a no-op (counted in the server's metrics). Every
 * accepted checkpoint restarts the claim timeout (a heartbeat).
 *   newBody                replaces the body (UTF-8 bytes of the string).
 *   moveToPending          back to PENDING at runAfterTimestampMillis (default now); the running
 *                          attempt is not used up, so cron-like jobs that reschedule themselves
 *                          do not run out of attempts.
 *   numOfAttemptsAllowed   (>= 1) replaces both attempts allowed and attempts remaining (the
 *                          running attempt is one of them while the job stays IN_PROGRESS).
 *   prependCustomStatus    put in front of the custom status (result truncated to 1000 chars).
 */
struct PinLaterCheckpointJobRequest {
  1: required string jobDescriptor;
  2: optional string newBody;
  3: optional bool moveToPending = 0;
  4: optional i64 runAfterTimestampMillis;
  5: optional i32 numOfAttemptsAllowed;
  6: optional string prependCustomStatus;
}

struct PinLaterCheckpointJobsRequest {
  1: required string queueName;
  2: required list<PinLaterCheckpointJobRequest> requests;
}

/* Jobs not found are left out of the returned map. A descriptor naming a shard that is not
   configured, or a priority outside 1..priorityLevels, is CONTINUATION_INVALID (this server
   cannot have issued it), here and in acks and checkpoints. */
struct PinLaterLookupJobRequest {
  1: required list<string> jobDescriptors;
  2: optional bool includeBody = 0;
}

/* EXTENSION (attempt history). One failed attempt of a job: recorded by each failure ack and
   by each claim-timeout rescue (status "claim timed out"). */
struct PinLaterJobAttempt {
  /* 1 for the first attempt. */
  1: required i32 attempt;
  2: required i64 timestampMillis;
  /* RequestContext.source of the dequeue that claimed it. */
  3: optional string claimDescriptor;
  /* the failure ack's appendCustomStatus (cut to 500 characters), or "claim timed out". */
  4: optional string status;
}

struct PinLaterJobInfo {
  1: required string jobDescriptor;
  2: required PinLaterJobState jobState;
  10: required i32 attemptsAllowed;
  3: required i32 attemptsRemaining;
  4: required string customStatus;
  5: required i64 createdAtTimestampMillis;
  6: optional i64 runAfterTimestampMillis;
  7: optional i64 updatedAtTimestampMillis;
  /* RequestContext.source of the last dequeuer. */
  8: optional string claimDescriptor;
  9: optional binary body;
  /* EXTENSION. The last 10 failed attempts, oldest first (lookupJobs only; scanJobs leaves it
     out). */
  11: optional list<PinLaterJobAttempt> attempts;
  /* EXTENSION. The job's uniqueKey and expiry, when it has them (the expiry is cleared when the
     job expires). */
  12: optional string uniqueKey;
  13: optional i64 expiresAtTimestampMillis;
}

/*
 * Counts jobs of one state. Default: all priorities, jobs runnable now (runAfter <= now);
 * countFutureJobs counts runAfter > now instead. bodyRegexToMatch (here and in scanJobs and
 * deleteJobs) is a MySQL/MariaDB REGEXP matched against the body, bound as a value, never
 * pasted into SQL; an invalid one gets CONTINUATION_INVALID naming bodyRegexToMatch.
 */
struct PinLaterGetJobCountRequest {
  1: required string queueName;
  2: required PinLaterJobState jobState;
  3: optional byte priority;
  4: optional bool countFutureJobs = 0;
  5: optional string bodyRegexToMatch;
}

/*
 * Scans jobs of one state, most recent runAfter first, without bodies (use lookupJobs).
 * Unlike PinLater, continuation works: pass the continuation of the previous response to get
 * the next page; CONTINUATION_END means there is nothing more. Paging visits every matching job
 * exactly once (order: runAfter descending, then shard, then id). Tokens are opaque; a token
 * this server did not issue gets CONTINUATION_INVALID. limit is clamped to 10000.
 */
struct PinLaterScanJobsRequest {
  1: required string queueName;
  2: required PinLaterJobState jobState;
  3: optional byte priority;
  4: optional bool scanFutureJobs = 0;
  5: optional string continuation = CONTINUATION_START;
  6: optional i32 limit = 100;
  7: optional string bodyRegexToMatch;
}

struct PinLaterScanJobsResponse {
  1: required list<PinLaterJobInfo> scannedJobs;
  2: optional string continuation = CONTINUATION_END;
}

/* Moves up to limit (clamped to 10000) FAILED jobs of one priority (default 1) back to PENDING,
   with attemptsToAllow (>= 1) attempts and runAfter (default now). */
struct PinLaterRetryFailedJobsRequest {
  1: required string queueName;
  2: optional byte priority = 1;
  3: optional i32 attemptsToAllow = 1;
  4: optional i64 runAfterTimestampMillis;
  5: optional i32 limit = 1000;
}

/* Deletes up to limit (clamped to 10000) jobs of one state and priority (default 1), any
   runAfter, optionally only bodies matching bodyRegexToMatch; oldest first. */
struct PinLaterDeleteJobsRequest {
  1: required string queueName;
  2: required PinLaterJobState jobState;
  3: optional byte priority = 1;
  4: optional string bodyRegexToMatch;
  5: optional i32 limit = 1000;
}

/*
 * EXTENSION (schedules). A schedule enqueues one job per tick into its queue, from its job
 * template (body, priority, numAttemptsAllowed; the template's other fields must be unset),
 * exactly once however many servers run: the job's uniqueKey is "schedule:<id>:<tickMillis>" and
 * its runAfter is the tick. Give exactly one of
 *   cronExpression  5-field Unix cron (minute hour day-of-month month day-of-week), e.g.
 *                   "0 9 * * 1-5" (09:00 on weekdays), read in timeZone (an IANA name, default "UTC"); or
 *   intervalMillis  (>= 1000) ticks at creation + k * intervalMillis.
 * Catch-up: a schedule whose ticks were missed (servers or its shard down) fires once, for the
 * oldest tick it owes, then resumes with the first tick after now.
 * Schedules live on the shard with the lowest id; while it is down these methods fail with
 * SHARD_CONNECTION_FAILED and no schedule ticks.
 */
struct PinLaterSchedule {
  1: required i64 scheduleId;
  2: required string queueName;
  3: optional string cronExpression;
  4: optional string timeZone;
  5: optional i64 intervalMillis;
  6: required PinLaterJob jobTemplate;
  /* the next tick the schedule owes */
  7: optional i64 nextFireTimestampMillis;
  8: optional i64 createdAtTimestampMillis;
}

struct PinLaterCreateScheduleRequest {
  1: required string queueName;
  2: optional string cronExpression;
  3: optional string timeZone;
  4: optional i64 intervalMillis;
  5: required PinLaterJob jobTemplate;
}

struct PinLaterCreateScheduleResponse {
  1: required PinLaterSchedule schedule;
}

/* queueName unset: the schedules of every queue. */
struct PinLaterListSchedulesRequest {
  1: optional string queueName;
}

struct PinLaterListSchedulesResponse {
  1: required list<PinLaterSchedule> schedules;
}

struct PinLaterDeleteScheduleRequest {
  1: required i64 scheduleId;
}

struct PinLaterDeleteScheduleResponse {
  /* false: there was no schedule with that id */
  1: required bool deleted;
}

exception PinLaterException {
  1: required ErrorCode errorCode;
  2: required string message;
}

/*
 * Sent with every call. source identifies the caller ("service:host"); it is recorded as the
 * claimant of dequeued jobs, and checkpoints must come from the same source.
 */
struct RequestContext {
  1: required string source;
  2: optional string requestId = "";
}

service PinLater {
  /* Creates the queue on every shard. Idempotent. */
  void createQueue(1: RequestContext context, 2: string name) throws(1: PinLaterException e);

  /* Deletes the queue and all its jobs on every shard. Idempotent. The password is checked
     against the salted hash in the server's queue.deletePasswordHash; a wrong or missing one,
     or a server without a hash configured, gets PASSWORD_INVALID. */
  void deleteQueue(1: RequestContext context, 2: string name, 3: string password)
      throws(1: PinLaterException e);

  /* Stores the jobs durably on one healthy shard and returns their descriptors. */
  PinLaterEnqueueResponse enqueueJobs(1: RequestContext context, 2: PinLaterEnqueueRequest request)
      throws(1: PinLaterException e);

  /* Claims up to limit runnable jobs in strict priority order (see PinLaterDequeueResponse).
     Concurrent dequeuers never receive the same job. */
  PinLaterDequeueResponse dequeueJobs(1: RequestContext context, 2: PinLaterDequeueRequest request)
      throws(1: PinLaterException e);

  /* Acks dequeued jobs. Only IN_PROGRESS jobs claimed by the caller's source move. */
  void ackDequeuedJobs(1: RequestContext context, 2: PinLaterJobAckRequest request)
      throws(1: PinLaterException e);

  /* Heartbeat / update jobs the caller has dequeued (see PinLaterCheckpointJobRequest). */
  void checkpointJobs(1: RequestContext context, 2: PinLaterCheckpointJobsRequest request)
      throws(1: PinLaterException e);

  /* Job info by descriptor; descriptors of jobs that do not exist are left out of the map. */
  map<string, PinLaterJobInfo> lookupJobs(1: RequestContext context,
      2: PinLaterLookupJobRequest request)
      throws(1: PinLaterException e);

  /* Exact count over all shards (not capped per shard like PinLater's); only the i32 return
     type caps it, at 2^31-1. */
  i32 getJobCount(1: RequestContext context, 2: PinLaterGetJobCountRequest request)
      throws(1: PinLaterException e);

  /* The union of the queues on all shards. */
  set<string> getQueueNames(1: RequestContext context) throws(1: PinLaterException e);

  PinLaterScanJobsResponse scanJobs(1: RequestContext context, 2: PinLaterScanJobsRequest request)
      throws(1: PinLaterException e);

  /* Moves up to limit FAILED jobs of one priority back to PENDING with attemptsToAllow
     attempts; returns how many moved. */
  i32 retryFailedJobs(1: RequestContext context, 2: PinLaterRetryFailedJobsRequest request)
      throws(1: PinLaterException e);

  /* Deletes up to limit jobs of one state and priority; returns how many were deleted. */
  i32 deleteJobs(1: RequestContext context, 2: PinLaterDeleteJobsRequest request)
      throws(1: PinLaterException e);

  /* EXTENSION (schedules): creates a schedule (see PinLaterSchedule). */
  PinLaterCreateScheduleResponse createSchedule(1: RequestContext context,
      2: PinLaterCreateScheduleRequest request) throws(1: PinLaterException e);

  /* EXTENSION (schedules): lists schedules, by id. */
  PinLaterListSchedulesResponse listSchedules(1: RequestContext context,
      2: PinLaterListSchedulesRequest request) throws(1: PinLaterException e);

  /* EXTENSION (schedules): deletes a schedule; jobs it already enqueued stay. */
  PinLaterDeleteScheduleResponse deleteSchedule(1: RequestContext context,
      2: PinLaterDeleteScheduleRequest request) throws(1: PinLaterException e);
}
