package io.hourglass.server.edge;

import com.twitter.util.Function;
import com.twitter.util.Future;
import io.hourglass.server.metrics.ServerMetrics;
import io.hourglass.server.metrics.JobCounter;
import io.hourglass.server.queue.Ack;
import io.hourglass.server.queue.AckResult;
import io.hourglass.server.queue.Attempt;
import io.hourglass.server.queue.EnqueuedJob;
import io.hourglass.server.queue.Schedule;
import io.hourglass.server.queue.ScheduleSpec;
import io.hourglass.server.schedule.Schedules;
import io.hourglass.thrift.PinLaterCreateScheduleRequest;
import io.hourglass.thrift.PinLaterCreateScheduleResponse;
import io.hourglass.thrift.PinLaterDeleteScheduleRequest;
import io.hourglass.thrift.PinLaterDeleteScheduleResponse;
import io.hourglass.thrift.PinLaterJob;
import io.hourglass.thrift.PinLaterJobAttempt;
import io.hourglass.thrift.PinLaterListSchedulesRequest;
import io.hourglass.thrift.PinLaterListSchedulesResponse;
import io.hourglass.thrift.PinLaterSchedule;
import io.hourglass.server.queue.Checkpoint;
import io.hourglass.server.queue.ClaimedJob;
import io.hourglass.server.queue.Coordinator;
import io.hourglass.server.queue.DequeueRequest;
import io.hourglass.server.queue.JobDescriptor;
import io.hourglass.server.queue.JobFilter;
import io.hourglass.server.queue.JobInfo;
import io.hourglass.server.queue.QueueAdmin;
import io.hourglass.server.queue.QueueException;
import io.hourglass.server.queue.QueueName;
import io.hourglass.server.queue.ScanCursor;
import io.hourglass.server.dequeue.Dequeuer;
import io.hourglass.server.dequeue.LongPoll;
import io.hourglass.server.dequeue.PiggyBackedAcks;
import io.hourglass.server.ratelimit.DequeueRateLimiter;
import io.hourglass.thrift.PinLaterCheckpointJobsRequest;
import io.hourglass.thrift.PinLaterDeleteJobsRequest;
import io.hourglass.thrift.PinLaterDequeueMetadata;
import io.hourglass.thrift.PinLaterDequeueRequest;
import io.hourglass.thrift.PinLaterDequeueResponse;
import io.hourglass.thrift.PinLaterEnqueueRequest;
import io.hourglass.thrift.PinLaterEnqueueResponse;
import io.hourglass.thrift.PinLaterException;
import io.hourglass.thrift.PinLaterGetJobCountRequest;
import io.hourglass.thrift.PinLaterJobAckRequest;
import io.hourglass.thrift.PinLaterJobInfo;
import io.hourglass.thrift.PinLaterJobState;
import io.hourglass.thrift.PinLaterLookupJobRequest;
import io.hourglass.thrift.PinLaterRetryFailedJobsRequest;
import io.hourglass.thrift.PinLaterScanJobsRequest;
import io.hourglass.thrift.PinLaterRpc;
import io.hourglass.thrift.PinLaterScanJobsResponse;
import io.hourglass.thrift.RequestContext;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import io.micrometer.core.instrument.Timer;
import scala.runtime.BoxedUnit;

/**
 * The Thrift edge: reads and validates requests, calls the {@link Coordinator}, builds responses,
 * and turns every failure into a {@link PinLaterException} (via {@link ThriftErrors}). Runs on
 * the server's offload pool, never on Finagle's I/O threads, so blocking JDBC is fine here.
 */
public final class PinLaterService implements PinLaterRpc {
  /** What the edge calls into. */
  record Parts(
      Coordinator coordinator, QueueAdmin admin, RequestReader reader, DeleteGuard deleteGuard,
      LongPoll longPoll, ServerMetrics metrics, Admission admission, Schedules schedules) {}

  /** Who may get in: per-queue dequeue rate limits, and the server's enqueue concurrency cap. */
  record Admission(DequeueRateLimiter dequeueLimiter, EnqueueGate enqueueGate) {}

  private final Coordinator coordinator;
  private final QueueAdmin admin;
  private final RequestReader reader;
  private final DeleteGuard deleteGuard;
  private final Dequeuer dequeuer;
  private final PiggyBackedAcks piggyBackedAcks = new PiggyBackedAcks();
  private final ServerMetrics metrics;
  private final EnqueueGate enqueueGate;
  private final Schedules schedules;

  PinLaterService(Parts parts) {
    this.coordinator = parts.coordinator();
    this.admin = parts.admin();
    this.reader = parts.reader();
    this.deleteGuard = parts.deleteGuard();
    this.dequeuer = new Dequeuer(parts.coordinator(), parts.admission().dequeueLimiter(), parts.longPoll());
    this.metrics = parts.metrics();
    this.enqueueGate = parts.admission().enqueueGate();
    this.schedules = parts.schedules();
  }

  private <T> Future<T> call(String rpc, Supplier<T> body) {
    return callAsync(rpc, () -> Future.value(body.get()));
  }

  /** Times the RPC and turns every failure, thrown or in the future, into a PinLaterException. */
  private <T> Future<T> callAsync(String rpc, Supplier<Future<T>> body) {
    Timer.Sample timer = Timer.start();
    Future<T> result;
    try {
      result = body.get();
    } catch (Throwable t) {
      result = Future.exception(t);
    }
    return result
        .rescue(Function.func(t -> {
          PinLaterException e = ThriftErrors.translate(rpc, t);
          metrics.rpcError(rpc, e.getErrorCode().name());
          return Future.<T>exception(e);
        }))
        .ensure(Function.func0(() -> {
          timer.stop(metrics.rpcTimer(rpc));
          return BoxedUnit.UNIT;
        }));
  }

  @Override
  public Future<Void> createQueue(RequestContext context, String name) {
    return call("createQueue", () -> {
      reader.source(context);
      QueueName queue = reader.queue(name);
      coordinator.createQueue(queue);
      metrics.queueExists(queue.value());
      return null;
    });
  }

  @Override
  public Future<Void> deleteQueue(RequestContext context, String name, String password) {
    return call("deleteQueue", () -> {
      reader.source(context);
      QueueName queue = reader.queue(name);
      deleteGuard.check(password);
      coordinator.deleteQueue(queue);
      return null;
    });
  }

  @Override
  public Future<PinLaterEnqueueResponse> enqueueJobs(RequestContext context, PinLaterEnqueueRequest request) {
    return call("enqueueJobs", () -> {
      reader.source(context);
      QueueName queue = reader.queue(request.getQueueName());
      var jobs = reader.jobs(request.getJobs());
      List<String> descriptors = new ArrayList<>(jobs.size());
      List<Integer> existing = new ArrayList<>();
      if (!jobs.isEmpty()) {
        for (EnqueuedJob e : enqueueGate.admit(() -> coordinator.enqueueJobs(queue, jobs))) {
          if (e.existing()) {
            existing.add(descriptors.size());
          }
          descriptors.add(e.descriptor().toString());
        }
      }
      metrics.enqueued(queue.value(), descriptors.size() - existing.size());
      PinLaterEnqueueResponse response = new PinLaterEnqueueResponse(descriptors);
      // EXTENSION field, only when it says something: PinLater clients see PinLater's answer.
      return existing.isEmpty() ? response : response.setExistingJobIndexes(existing);
    });
  }

  @Override
  public Future<PinLaterDequeueResponse> dequeueJobs(RequestContext context, PinLaterDequeueRequest request) {
    return callAsync("dequeueJobs", () -> {
      String claimant = reader.source(context);
      // Piggy-backed acks are read (every descriptor checked) before anything runs, and applied
      // whatever happens to the dequeue after them, beside its claim (PiggyBackedAcks). Acks
      // whose shard is down are reported back instead of failing a dequeue other shards can serve.
      PiggyBackedAcks.Running acks = request.getJobAckRequest() == null ? piggyBackedAcks.none()
          : startAcks(claimant, request.getJobAckRequest());
      DequeueRequest dequeue;
      Future<List<ClaimedJob>> claimed;
      try {
        QueueName queue = reader.queue(request.getQueueName());
        dequeue = new DequeueRequest(queue, reader.dequeueLimit(request.getLimit()), claimant,
            request.isDryRun(), RequestReader.coverage(request.getCoverage()));
        long waitMillis = request.isDryRun() ? 0 : reader.waitMillis(request.getWaitMillis());
        // After the acks were started: a rate-limited (or paused) queue still gets its acks applied.
        claimed = dequeuer.dequeue(dequeue, waitMillis);
      } catch (RuntimeException e) {
        claimed = Future.exception(e);
        dequeue = null;
      }
      DequeueRequest asked = dequeue;
      return claimed.transform(Function.func(jobs -> {
        if (jobs.isThrow()) {
          // Answers once the acks have finished, so a client that resends them never races its own.
          return acks.finished().flatMap(Function.func(done -> Future.<PinLaterDequeueResponse>exception(jobs.throwable())));
        }
        List<ClaimedJob> got = jobs.get();
        return acks.unapplied(!got.isEmpty() && !asked.dryRun()).transform(Function.func(unapplied -> {
          if (unapplied.isThrow()) {
            dequeuer.release(asked, got);
            return Future.exception(unapplied.throwable());
          }
          return Future.value(response(asked, got, descriptors(unapplied.get())));
        }));
      }));
    });
  }

  private PiggyBackedAcks.Running startAcks(String claimant, PinLaterJobAckRequest request) {
    String prefix = "jobAckRequest.";
    QueueName queue = reader.queue(request.getQueueName());
    List<Ack> ok = reader.acks(queue, request.getJobsSucceeded(), prefix + "jobsSucceeded");
    List<Ack> failed = reader.acks(queue, request.getJobsFailed(), prefix + "jobsFailed");
    return piggyBackedAcks.start(ok, failed, (s, f) -> applyAcks(claimant, queue, s, f));
  }

  private PinLaterDequeueResponse response(
      DequeueRequest request, List<ClaimedJob> claimed, List<String> unappliedAcks) {
    try {
      Map<String, ByteBuffer> jobs = new LinkedHashMap<>();
      Map<String, PinLaterDequeueMetadata> meta = new LinkedHashMap<>();
      for (ClaimedJob j : claimed) {
        String d = j.descriptor().toString();
        jobs.put(d, ByteBuffer.wrap(j.body()));
        meta.put(d, new PinLaterDequeueMetadata()
            .setAttemptsAllowed(j.attemptsAllowed())
            .setAttemptsRemaining(j.attemptsRemaining()));
      }
      if (!request.dryRun()) {
        metrics.dequeued(request.queue().value(), claimed.size());
      }
      PinLaterDequeueResponse response = new PinLaterDequeueResponse().setJobs(jobs).setJobMetadata(meta);
      if (!unappliedAcks.isEmpty()) {
        response.setUnappliedAckDescriptors(unappliedAcks);
      }
      return response;
    } catch (RuntimeException e) {
      dequeuer.release(request, claimed);
      throw e;
    }
  }

  @Override
  public Future<Void> ackDequeuedJobs(RequestContext context, PinLaterJobAckRequest request) {
    return call("ackDequeuedJobs", () -> {
      AckResult result = applyAcks(reader.source(context), request, "");
      if (result.failure() != null) {
        // The reachable shards' acks are applied; failing makes the client resend (no-ops for those).
        throw result.failure();
      }
      return null;
    });
  }

  private AckResult applyAcks(String claimant, PinLaterJobAckRequest request, String prefix) {
    QueueName queue = reader.queue(request.getQueueName());
    return applyAcks(claimant, queue, reader.acks(queue, request.getJobsSucceeded(), prefix + "jobsSucceeded"),
        reader.acks(queue, request.getJobsFailed(), prefix + "jobsFailed"));
  }

  private AckResult applyAcks(String claimant, QueueName queue, List<Ack> ok, List<Ack> failed) {
    AckResult result = coordinator.ack(queue, claimant, ok, failed);
    metrics.count(JobCounter.ACKED_SUCCEEDED, queue.value(), result.succeeded());
    metrics.count(JobCounter.ACKED_FAILED, queue.value(), result.failed());
    metrics.count(JobCounter.ACKED_IGNORED, queue.value(),
        ok.size() + failed.size() - result.succeeded() - result.failed() - result.unapplied().size());
    return result;
  }

  private static List<String> descriptors(List<Ack> acks) {
    return acks.stream().map(a -> a.descriptor().toString()).toList();
  }

  @Override
  public Future<Void> checkpointJobs(RequestContext context, PinLaterCheckpointJobsRequest request) {
    return call("checkpointJobs", () -> {
      String claimant = reader.source(context);
      QueueName queue = reader.queue(request.getQueueName());
      List<Checkpoint> checkpoints = reader.checkpoints(queue, request.getRequests());
      int changed = coordinator.checkpoint(queue, claimant, checkpoints);
      metrics.count(JobCounter.CHECKPOINTED, queue.value(), changed);
      // Not the claimant, or no longer IN_PROGRESS: a no-op by design, but worth seeing.
      metrics.count(JobCounter.CHECKPOINT_IGNORED, queue.value(), checkpoints.size() - changed);
      return null;
    });
  }

  @Override
  public Future<Map<String, PinLaterJobInfo>> lookupJobs(RequestContext context, PinLaterLookupJobRequest request) {
    return call("lookupJobs", () -> {
      reader.source(context);
      if (request.getJobDescriptors() == null) {
        throw QueueException.badArgument("jobDescriptors", "is required");
      }
      List<String> texts = request.getJobDescriptors();
      Map<JobDescriptor, String> asked = new LinkedHashMap<>();
      for (int i = 0; i < texts.size(); i++) {
        asked.put(reader.descriptor(texts.get(i), "jobDescriptors[" + i + "]"), texts.get(i));
      }
      Map<JobDescriptor, JobInfo> found =
          coordinator.lookup(new ArrayList<>(asked.keySet()), request.isIncludeBody());
      Map<String, PinLaterJobInfo> out = new LinkedHashMap<>();
      found.forEach((d, info) -> out.put(asked.get(d), toThrift(info)));
      return out;
    });
  }

  static PinLaterJobInfo toThrift(JobInfo info) {
    PinLaterJobInfo out = new PinLaterJobInfo()
        .setJobDescriptor(info.descriptor().toString())
        .setJobState(PinLaterJobState.findByValue(info.state().code()))
        .setAttemptsAllowed(info.attemptsAllowed())
        .setAttemptsRemaining(info.attemptsRemaining())
        .setCustomStatus(info.customStatus())
        .setCreatedAtTimestampMillis(info.createdAtMillis())
        .setRunAfterTimestampMillis(info.runAfterMillis())
        .setUpdatedAtTimestampMillis(info.updatedAtMillis());
    if (info.claimDescriptor() != null) {
      out.setClaimDescriptor(info.claimDescriptor());
    }
    if (info.body() != null) {
      out.setBody(ByteBuffer.wrap(info.body()));
    }
    if (!info.attempts().isEmpty()) {
      List<PinLaterJobAttempt> attempts = new ArrayList<>(info.attempts().size());
      for (Attempt a : info.attempts()) {
        attempts.add(new PinLaterJobAttempt(a.attempt(), a.atMillis()).setClaimDescriptor(a.claimant())
            .setStatus(a.status()));
      }
      out.setAttempts(attempts);
    }
    if (info.uniqueKey() != null) {
      out.setUniqueKey(info.uniqueKey());
    }
    if (info.expiresAtMillis() != null) {
      out.setExpiresAtTimestampMillis(info.expiresAtMillis());
    }
    return out;
  }

  @Override
  public Future<Integer> getJobCount(RequestContext context, PinLaterGetJobCountRequest request) {
    return call("getJobCount", () -> {
      reader.source(context);
      // Exact; i32 on the wire, so a count beyond 2^31-1 is reported as 2^31-1.
      return (int) Math.min(Integer.MAX_VALUE, admin.count(reader.countFilter(request)));
    });
  }

  @Override
  public Future<Set<String>> getQueueNames(RequestContext context) {
    return call("getQueueNames", () -> {
      reader.source(context);
      return coordinator.queueNames();
    });
  }

  @Override
  public Future<PinLaterScanJobsResponse> scanJobs(RequestContext context, PinLaterScanJobsRequest request) {
    return call("scanJobs", () -> {
      reader.source(context);
      JobFilter filter = reader.scanFilter(request);
      ScanCursor after = ScanCursor.parse(request.getContinuation());
      int limit = RequestReader.limit(request.getLimit(), RequestReader.MAX_ADMIN_LIMIT, "limit");
      QueueAdmin.ScanPage page = admin.scan(filter, after, limit);
      List<PinLaterJobInfo> jobs = new ArrayList<>(page.jobs().size());
      page.jobs().forEach(j -> jobs.add(toThrift(j)));
      return new PinLaterScanJobsResponse(jobs)
          .setContinuation(page.next() == null ? ScanCursor.END : page.next().token());
    });
  }

  @Override
  public Future<Integer> retryFailedJobs(RequestContext context, PinLaterRetryFailedJobsRequest request) {
    return call("retryFailedJobs", () -> {
      reader.source(context);
      var retry = reader.retryFailed(request);
      int moved = admin.retryFailed(retry);
      coordinator.retried(retry.queue(), moved);
      return moved;
    });
  }

  @Override
  public Future<Integer> deleteJobs(RequestContext context, PinLaterDeleteJobsRequest request) {
    return call("deleteJobs", () -> {
      reader.source(context);
      JobFilter filter = reader.deleteFilter(request);
      return admin.deleteJobs(filter, RequestReader.limit(request.getLimit(), RequestReader.MAX_ADMIN_LIMIT, "limit"));
    });
  }

  @Override
  public Future<PinLaterCreateScheduleResponse> createSchedule(RequestContext context,
      PinLaterCreateScheduleRequest request) {
    return call("createSchedule", () -> {
      reader.source(context);
      return new PinLaterCreateScheduleResponse(toThrift(schedules.create(reader.schedule(request))));
    });
  }

  @Override
  public Future<PinLaterListSchedulesResponse> listSchedules(RequestContext context,
      PinLaterListSchedulesRequest request) {
    return call("listSchedules", () -> {
      reader.source(context);
      QueueName queue = request.isSetQueueName() ? reader.queue(request.getQueueName()) : null;
      return new PinLaterListSchedulesResponse(schedules.list(queue).stream().map(PinLaterService::toThrift).toList());
    });
  }

  @Override
  public Future<PinLaterDeleteScheduleResponse> deleteSchedule(RequestContext context,
      PinLaterDeleteScheduleRequest request) {
    return call("deleteSchedule", () -> {
      reader.source(context);
      return new PinLaterDeleteScheduleResponse(schedules.delete(request.getScheduleId()));
    });
  }

  static PinLaterSchedule toThrift(Schedule s) {
    ScheduleSpec spec = s.spec();
    PinLaterJob template = new PinLaterJob().setBody(ByteBuffer.wrap(spec.body())).setPriority((byte) spec.priority())
        .setNumAttemptsAllowed(spec.attemptsAllowed());
    PinLaterSchedule out = new PinLaterSchedule(s.id(), spec.queue().value(), template)
        .setNextFireTimestampMillis(s.nextFireAtMillis())
        .setCreatedAtTimestampMillis(s.createdAtMillis());
    if (spec.cron() != null) {
      out.setCronExpression(spec.cron()).setTimeZone(spec.zone() == null ? "UTC" : spec.zone());
    } else {
      out.setIntervalMillis(spec.intervalMillis());
    }
    return out;
  }
}
