package io.hourglass.server;

import io.hourglass.server.queue.Ack;
import io.hourglass.server.queue.JobDescriptor;
import io.hourglass.server.queue.Limits;
import io.hourglass.server.queue.NewJob;
import io.hourglass.server.queue.QueueException;
import io.hourglass.server.queue.QueueException.Kind;
import io.hourglass.server.queue.QueueName;
import io.hourglass.thrift.PinLaterJob;
import io.hourglass.thrift.PinLaterJobAckInfo;
import io.hourglass.thrift.RequestContext;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns Thrift request fields into validated domain records. Every error names the field it is
 * about, with list indexes, e.g. {@code jobs[3].priority}.
 */
final class RequestReader {
  private final Clock clock;
  private final int priorityLevels;
  private final int maxDequeueLimit;

  RequestReader(Clock clock, int priorityLevels, int maxDequeueLimit) {
    this.clock = clock;
    this.priorityLevels = priorityLevels;
    this.maxDequeueLimit = maxDequeueLimit;
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
    if (limit < 1) {
      throw QueueException.badArgument("limit", "must be at least 1, got " + limit);
    }
    return Math.min(limit, maxDequeueLimit);
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
      if (j == null || j.BufferForBody() == null) {
        throw QueueException.badArgument(field + ".body", "is required");
      }
      byte[] body = bytes(j.BufferForBody());
      if (body.length > Limits.BODY_MAX_BYTES) {
        throw QueueException.badArgument(
            field + ".body", body.length + " bytes is more than the " + Limits.BODY_MAX_BYTES + " allowed");
      }
      int attempts = j.getNumAttemptsAllowed();
      if (attempts < 1) {
        throw QueueException.badArgument(
            field + ".numAttemptsAllowed", "must be at least 1, got " + attempts);
      }
      out.add(new NewJob(
          body,
          priority(j.getPriority(), field + ".priority"),
          j.isSetRunAfterTimestampMillis() ? j.getRunAfterTimestampMillis() : now,
          attempts,
          Limits.truncate(j.getCustomStatus(), Limits.CUSTOM_STATUS_MAX_CHARS)));
    }
    return out;
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
      out.add(new Ack(
          d,
          Limits.truncate(info.getAppendCustomStatus(), Limits.CUSTOM_STATUS_MAX_CHARS),
          info.getRetryDelayMillis()));
    }
    return out;
  }

  /** Parses a descriptor that must belong to {@code queue}. */
  JobDescriptor descriptorOf(QueueName queue, String text, String field) {
    JobDescriptor d = JobDescriptor.parse(text, field);
    if (!d.queue().equals(queue)) {
      throw QueueException.badArgument(field, "'" + text + "' belongs to queue '" + d.queue()
          + "', not to '" + queue + "'");
    }
    return d;
  }

  /** Copies a Scrooge binary field; it may be a slice of a larger buffer. */
  static byte[] bytes(ByteBuffer buffer) {
    ByteBuffer b = buffer.duplicate();
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }
}
