package io.hourglass.server.edge;

import io.hourglass.server.queue.Ack;
import io.hourglass.server.queue.Checkpoint;
import io.hourglass.server.queue.JobFilter;
import io.hourglass.server.queue.JobState;
import io.hourglass.server.queue.RetryFailedRequest;
import io.hourglass.server.queue.JobDescriptor;
import io.hourglass.server.queue.Limits;
import io.hourglass.server.queue.NewJob;
import io.hourglass.server.queue.QueueException;
import io.hourglass.server.queue.QueueException.Kind;
import io.hourglass.server.queue.QueueName;
import io.hourglass.server.queue.RetryPolicy;
import io.hourglass.server.queue.ScheduleSpec;
import io.hourglass.server.schedule.Ticks;
import io.hourglass.thrift.PinLaterCreateScheduleRequest;
import io.hourglass.thrift.PinLaterCheckpointJobRequest;
import io.hourglass.thrift.PinLaterDeleteJobsRequest;
import io.hourglass.thrift.PinLaterGetJobCountRequest;
import io.hourglass.thrift.PinLaterJob;
import io.hourglass.thrift.PinLaterJobState;
import io.hourglass.thrift.PinLaterRetryFailedJobsRequest;
import io.hourglass.thrift.PinLaterScanJobsRequest;
import io.hourglass.thrift.PinLaterJobAckInfo;
import io.hourglass.thrift.RequestContext;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntPredicate;

/**
 * Turns Thrift request fields into validated domain records. Every error names the field it is
 * about, with list indexes, e.g. {@code jobs[3].priority}.
 */
final class RequestReader {
  /** Most jobs one scan page, retry or delete call may touch; larger limits are clamped. */
  static final int MAX_ADMIN_LIMIT = 10_000;
  static final int MAX_REGEX_CHARS = 1000;

  private final Clock clock;
  private final int priorityLevels;
  private final int maxDequeueLimit;
  private final long maxWaitMillis;
  private final IntPredicate shardConfigured;
  private final java.util.function.Function<QueueName, RetryPolicy> retryPolicies;

  /** Server-side bounds on what a request may ask for. */
  record Bounds(int priorityLevels, int maxDequeueLimit, long maxWaitMillis) {}

  /** A reader that takes descriptors of any shard id. */
  RequestReader(Clock clock, Bounds bounds) {
    this(clock, bounds, shardId -> true, q -> null);
  }

  /**
   * @param shardConfigured whether a shard id is in the current shard config (descriptors naming
   *     another are rejected instead of being silently ignored)
   * @param retryPolicies each queue's retry policy (null: none), read per request
   */
  RequestReader(Clock clock, Bounds bounds, IntPredicate shardConfigured,
      java.util.function.Function<QueueName, RetryPolicy> retryPolicies) {
    this.shardConfigured = shardConfigured;
    this.clock = clock;
    this.priorityLevels = bounds.priorityLevels();
    this.maxDequeueLimit = bounds.maxDequeueLimit();
    this.maxWaitMillis = bounds.maxWaitMillis();
    this.retryPolicies = retryPolicies;
  }

  /** The claimant recorded for dequeued jobs: the caller's source. */
  String source(RequestContext context) {
    if (context == null || context.getSource() == null) {
      throw QueueException.badArgument("context.source", "is required");
    }
    return Limits.truncate(context.getSource(), Limits.CLAIMANT_MAX_CHARS);
  }

  QueueName queue(String name) {
    return QueueName.of(name);
  }

  int priority(int value, String field) {
    if (value < 1 || value > priorityLevels) {
      throw new QueueException(
          Kind.PRIORITY_NOT_SUPPORTED,
          field + ": " + value + " is not a supported priority (1.." + priorityLevels + ")");
    }
    return value;
  }

  /** Dequeue limits above the server's maximum are clamped to it. */
  int dequeueLimit(int limit) {
    return limit(limit, maxDequeueLimit, "limit");
  }

  /** Long-poll time, clamped to the server's dequeue.maxWaitMillis. */
  long waitMillis(int waitMillis) {
    if (waitMillis < 0) {
      throw QueueException.badArgument("waitMillis", "must not be negative, got " + waitMillis);
    }
    return Math.min(waitMillis, maxWaitMillis);
  }

  static double coverage(double coverage) {
    if (!(coverage > 0 && coverage <= 1)) {
      throw QueueException.badArgument("coverage", "must be in (0, 1], got " + coverage);
    }
    return coverage;
  }

  List<NewJob> jobs(List<PinLaterJob> jobs) {
    if (jobs == null) {
      throw QueueException.badArgument("jobs", "is required");
    }
    long now = clock.millis();
    List<NewJob> out = new ArrayList<>(jobs.size());
    for (int i = 0; i < jobs.size(); i++) {
      PinLaterJob j = jobs.get(i);
      String field = "jobs[" + i + "]";
      if (j == null || j.bufferForBody() == null) {
        throw QueueException.badArgument(field + ".body", "is required");
      }
      byte[] body = bytes(j.bufferForBody());
      if (body.length > Limits.BODY_MAX_BYTES) {
        throw QueueException.badArgument(
            field + ".body", body.length + " bytes is more than the " + Limits.BODY_MAX_BYTES + " allowed");
      }
      int attempts = j.getNumAttemptsAllowed();
      if (attempts < 1) {
        throw QueueException.badArgument(
            field + ".numAttemptsAllowed", "must be at least 1, got " + attempts);
      }
      out.add(extensions(j, new NewJob(
          body,
          priority(j.getPriority(), field + ".priority"),
          j.isSetRunAfterTimestampMillis() ? j.getRunAfterTimestampMillis() : now,
          attempts,
          Limits.truncate(j.getCustomStatus(), Limits.CUSTOM_STATUS_MAX_CHARS)), field));
    }
    return out;
  }

  /** EXTENSION fields of a job: its unique key and its expiry. */
  private static NewJob extensions(PinLaterJob j, NewJob job, String field) {
    String key = null;
    if (j.isSetUniqueKey()) {
      key = j.getUniqueKey();
      if (key.isEmpty() || key.length() > NewJob.UNIQUE_KEY_MAX_CHARS) {
        throw QueueException.badArgument(field + ".uniqueKey",
            "must be 1 to " + NewJob.UNIQUE_KEY_MAX_CHARS + " characters, got " + key.length());
      }
    }
    Long expiresAt = null;
    if (j.isSetExpiresAtTimestampMillis()) {
      expiresAt = j.getExpiresAtTimestampMillis();
      if (expiresAt <= job.runAfterMillis()) {
        throw QueueException.badArgument(field + ".expiresAtTimestampMillis", expiresAt
            + " is not after the job's runAfter (" + job.runAfterMillis() + "): it could never run");
      }
    }
    return job.withUniqueKey(key).withExpiry(expiresAt);
  }

  /** A createSchedule request as a validated schedule (cron, zone, interval, template). */
  ScheduleSpec schedule(PinLaterCreateScheduleRequest r) {
    QueueName queue = queue(r.getQueueName());
    PinLaterJob t = r.getJobTemplate();
    if (t == null || t.bufferForBody() == null) {
      throw QueueException.badArgument("jobTemplate.body", "is required");
    }
    for (PinLaterJob._Fields f : new PinLaterJob._Fields[] {PinLaterJob._Fields.UNIQUE_KEY,
        PinLaterJob._Fields.EXPIRES_AT_TIMESTAMP_MILLIS, PinLaterJob._Fields.RUN_AFTER_TIMESTAMP_MILLIS}) {
      if (t.isSet(f)) {
        throw QueueException.badArgument("jobTemplate." + f.getFieldName(),
            "must be unset: the schedule sets it for each tick");
      }
    }
    ScheduleSpec spec = new ScheduleSpec(queue, r.getCronExpression(), r.isSetTimeZone() ? r.getTimeZone() : null,
        r.isSetIntervalMillis() ? r.getIntervalMillis() : null, bytes(t.bufferForBody()),
        priority(t.getPriority(), "jobTemplate.priority"), t.getNumAttemptsAllowed());
    Ticks.validate(spec);
    return spec;
  }

  List<Ack> acks(QueueName queue, List<PinLaterJobAckInfo> infos, String field) {
    if (infos == null) {
      return List.of();
    }
    List<Ack> out = new ArrayList<>(infos.size());
    for (int i = 0; i < infos.size(); i++) {
      PinLaterJobAckInfo info = infos.get(i);
      String f = field + "[" + i + "]";
      if (info == null) {
        throw QueueException.badArgument(f, "is null");
      }
      JobDescriptor d = descriptorOf(queue, info.getJobDescriptor(), f + ".jobDescriptor");
      if (info.getRetryDelayMillis() < 0) {
        throw QueueException.badArgument(f + ".retryDelayMillis", "must not be negative");
      }
      Ack ack = new Ack(
          d,
          Limits.truncate(info.getAppendCustomStatus(), Limits.CUSTOM_STATUS_MAX_CHARS),
          info.getRetryDelayMillis());
      if (info.isGiveUp()) {
        ack = ack.givingUp();
      }
      if (info.isRetryDelayFromQueuePolicy()) {
        // Without a policy the ack keeps its own delay, as the IDL says.
        ack = ack.withRetryPolicy(retryPolicies.apply(queue));
      }
      out.add(ack);
    }
    return out;
  }

  /**
   * Parses a descriptor and checks that it could name a job of this server: its shard is
   * configured and its priority is one of {@code 1..priorityLevels}. Anything else cannot have
   * come from a dequeue here, and acking or looking it up would silently do nothing.
   */
  JobDescriptor descriptor(String text, String field) {
    JobDescriptor d = JobDescriptor.parse(text, field);
    if (d.priority() < 1 || d.priority() > priorityLevels) {
      throw QueueException.badArgument(field, "'" + text + "' names priority " + d.priority()
          + ", outside 1.." + priorityLevels);
    }
    if (!shardConfigured.test(d.shardId())) {
      throw QueueException.badArgument(field, "'" + text + "' names shard " + d.shardId()
          + ", which is not in the shard config");
    }
    return d;
  }

  /** Parses a descriptor that must belong to {@code queue} (see {@link #descriptor}). */
  JobDescriptor descriptorOf(QueueName queue, String text, String field) {
    JobDescriptor d = descriptor(text, field);
    if (!d.queue().equals(queue)) {
      throw QueueException.badArgument(field, "'" + text + "' belongs to queue '" + d.queue()
          + "', not to '" + queue + "'");
    }
    return d;
  }

  JobState state(PinLaterJobState state, String field) {
    if (state == null) {
      throw QueueException.badArgument(field, "is required");
    }
    return JobState.fromCode(state.getValue());
  }

  /** A limit of at least 1, clamped to {@code max}. */
  static int limit(int limit, int max, String field) {
    if (limit < 1) {
      throw QueueException.badArgument(field, "must be at least 1, got " + limit);
    }
    return Math.min(limit, max);
  }

  static String regex(String regex) {
    if (regex == null || regex.isEmpty()) {
      return null;
    }
    if (regex.length() > MAX_REGEX_CHARS) {
      throw QueueException.badArgument("bodyRegexToMatch", "longer than " + MAX_REGEX_CHARS + " characters");
    }
    return regex;
  }

  JobFilter countFilter(PinLaterGetJobCountRequest r) {
    QueueName queue = queue(r.getQueueName());
    return new JobFilter(queue, state(r.getJobState(), "jobState"),
        r.isSetPriority() ? priority(r.getPriority(), "priority") : null,
        r.isCountFutureJobs(), regex(r.getBodyRegexToMatch()));
  }

  JobFilter scanFilter(PinLaterScanJobsRequest r) {
    QueueName queue = queue(r.getQueueName());
    return new JobFilter(queue, state(r.getJobState(), "jobState"),
        r.isSetPriority() ? priority(r.getPriority(), "priority") : null,
        r.isScanFutureJobs(), regex(r.getBodyRegexToMatch()));
  }

  /** Delete looks at one priority (default 1) and at any runAfter. */
  JobFilter deleteFilter(PinLaterDeleteJobsRequest r) {
    QueueName queue = queue(r.getQueueName());
    return new JobFilter(queue, state(r.getJobState(), "jobState"), priority(r.getPriority(), "priority"),
        null, regex(r.getBodyRegexToMatch()));
  }

  RetryFailedRequest retryFailed(PinLaterRetryFailedJobsRequest r) {
    QueueName queue = queue(r.getQueueName());
    if (r.getAttemptsToAllow() < 1) {
      throw QueueException.badArgument("attemptsToAllow", "must be at least 1, got " + r.getAttemptsToAllow());
    }
    return new RetryFailedRequest(queue, priority(r.getPriority(), "priority"), r.getAttemptsToAllow(),
        r.isSetRunAfterTimestampMillis() ? r.getRunAfterTimestampMillis() : clock.millis(),
        limit(r.getLimit(), MAX_ADMIN_LIMIT, "limit"));
  }

  List<Checkpoint> checkpoints(QueueName queue, List<PinLaterCheckpointJobRequest> requests) {
    if (requests == null) {
      throw QueueException.badArgument("requests", "is required");
    }
    long now = clock.millis();
    List<Checkpoint> out = new ArrayList<>(requests.size());
    for (int i = 0; i < requests.size(); i++) {
      PinLaterCheckpointJobRequest r = requests.get(i);
      String f = "requests[" + i + "]";
      if (r == null) {
        throw QueueException.badArgument(f, "is null");
      }
      JobDescriptor d = descriptorOf(queue, r.getJobDescriptor(), f + ".jobDescriptor");
      Integer attempts = null;
      if (r.isSetNumOfAttemptsAllowed()) {
        if (r.getNumOfAttemptsAllowed() < 1) {
          throw QueueException.badArgument(f + ".numOfAttemptsAllowed", "must be at least 1, got "
              + r.getNumOfAttemptsAllowed());
        }
        attempts = r.getNumOfAttemptsAllowed();
      }
      out.add(new Checkpoint(
          d,
          r.getNewBody() == null ? null : r.getNewBody().getBytes(StandardCharsets.UTF_8),
          r.isMoveToPending(),
          r.isSetRunAfterTimestampMillis() ? r.getRunAfterTimestampMillis() : now,
          attempts,
          r.getPrependCustomStatus() == null ? null
              : Limits.truncate(r.getPrependCustomStatus(), Limits.CUSTOM_STATUS_MAX_CHARS)));
    }
    return out;
  }

  /** Copies a binary field; it may be a slice of a larger buffer. */
  static byte[] bytes(ByteBuffer buffer) {
    ByteBuffer b = buffer.duplicate();
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }
}
