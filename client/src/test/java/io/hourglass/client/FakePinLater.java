package io.hourglass.client;

import com.twitter.util.Future;
import io.hourglass.thrift.ErrorCode;
import io.hourglass.thrift.PinLaterRpc;
import io.hourglass.thrift.PinLaterCheckpointJobsRequest;
import io.hourglass.thrift.PinLaterDeleteJobsRequest;
import io.hourglass.thrift.PinLaterCreateScheduleRequest;
import io.hourglass.thrift.PinLaterCreateScheduleResponse;
import io.hourglass.thrift.PinLaterDeleteScheduleRequest;
import io.hourglass.thrift.PinLaterDeleteScheduleResponse;
import io.hourglass.thrift.PinLaterListSchedulesRequest;
import io.hourglass.thrift.PinLaterListSchedulesResponse;
import io.hourglass.thrift.PinLaterDequeueMetadata;
import io.hourglass.thrift.PinLaterDequeueRequest;
import io.hourglass.thrift.PinLaterDequeueResponse;
import io.hourglass.thrift.PinLaterEnqueueRequest;
import io.hourglass.thrift.PinLaterEnqueueResponse;
import io.hourglass.thrift.PinLaterException;
import io.hourglass.thrift.PinLaterGetJobCountRequest;
import io.hourglass.thrift.PinLaterJobAckInfo;
import io.hourglass.thrift.PinLaterJobAckRequest;
import io.hourglass.thrift.PinLaterJobInfo;
import io.hourglass.thrift.PinLaterLookupJobRequest;
import io.hourglass.thrift.PinLaterRetryFailedJobsRequest;
import io.hourglass.thrift.PinLaterScanJobsRequest;
import io.hourglass.thrift.PinLaterScanJobsResponse;
import io.hourglass.thrift.RequestContext;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * An in-memory stand-in for the server, for unit tests of the client and worker: one queue,
 * every request recorded, faults injected on demand. Not a model of the real server beyond what
 * these tests need.
 */
public final class FakePinLater implements PinLaterRpc {
  /** Dequeue requests as received, failed ones included. */
  public final List<PinLaterDequeueRequest> dequeues = new CopyOnWriteArrayList<>();
  /** ackDequeuedJobs requests as received, failed ones included. */
  public final List<PinLaterJobAckRequest> ackCalls = new CopyOnWriteArrayList<>();
  public final List<PinLaterCheckpointJobsRequest> checkpoints = new CopyOnWriteArrayList<>();
  public final AtomicInteger enqueueCalls = new AtomicInteger();
  public final AtomicInteger lookupCalls = new AtomicInteger();
  /** Jobs handed out by dequeues so far. */
  public final AtomicInteger handedOut = new AtomicInteger();

  /** Dequeues matching this fail (before their acks are applied). */
  public volatile Predicate<PinLaterDequeueRequest> failDequeue = r -> false;
  /** Piggy-backed acks of these descriptors are not applied but reported back as unapplied. */
  public volatile Predicate<String> ackShardDown = d -> false;
  /** When set, every ackDequeuedJobs fails with it. */
  public volatile ErrorCode ackError;
  /** When set, every checkpointJobs fails with it. */
  public volatile ErrorCode checkpointError;
  /** When set, every enqueueJobs fails with it. */
  public volatile ErrorCode enqueueError;
  /** The next this-many lookups fail with {@link #lookupError}. */
  public final AtomicInteger lookupFailuresLeft = new AtomicInteger();
  public volatile ErrorCode lookupError = ErrorCode.SHARD_CONNECTION_FAILED;

  private final String queue;
  private final Deque<FakeJob> pending = new ArrayDeque<>();
  private final Map<String, FakeJob> claimed = new HashMap<>();
  private final Map<String, Integer> successAcksApplied = new HashMap<>();
  private final List<PinLaterJobAckInfo> failureAcksApplied = new ArrayList<>();
  private int nextId = 1;

  private static final class FakeJob {
    final String descriptor;
    final int allowed;
    int remaining;

    FakeJob(String descriptor, int allowed) {
      this.descriptor = descriptor;
      this.allowed = allowed;
      this.remaining = allowed;
    }
  }

  public FakePinLater(String queue) {
    this.queue = queue;
  }

  /** Adds {@code n} runnable jobs; returns their descriptors. */
  public synchronized List<String> addJobs(int n, int attemptsAllowed) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      FakeJob job = new FakeJob(queue + ":s1:p1:" + nextId++, attemptsAllowed);
      pending.add(job);
      out.add(job.descriptor);
    }
    return out;
  }

  /** How many success acks were applied per descriptor (an IN_PROGRESS job counts once). */
  public synchronized Map<String, Integer> successAcksApplied() {
    return Map.copyOf(successAcksApplied);
  }

  public synchronized List<PinLaterJobAckInfo> failureAcksApplied() {
    return List.copyOf(failureAcksApplied);
  }

  private synchronized void apply(PinLaterJobAckRequest acks) {
    if (acks.getJobsSucceeded() != null) {
      for (PinLaterJobAckInfo a : acks.getJobsSucceeded()) {
        if (claimed.remove(a.getJobDescriptor()) != null) {
          successAcksApplied.merge(a.getJobDescriptor(), 1, Integer::sum);
        }
      }
    }
    if (acks.getJobsFailed() != null) {
      for (PinLaterJobAckInfo a : acks.getJobsFailed()) {
        FakeJob job = claimed.remove(a.getJobDescriptor());
        if (job != null) {
          failureAcksApplied.add(a);
          job.remaining--; // PinLater's bookkeeping: a failure takes the attempt
          if (job.remaining > 0) {
            pending.add(job);
          }
        }
      }
    }
  }

  private List<PinLaterJobAckInfo> reachableOnly(List<PinLaterJobAckInfo> acks, List<String> unapplied) {
    List<PinLaterJobAckInfo> out = new ArrayList<>();
    for (PinLaterJobAckInfo a : acks == null ? List.<PinLaterJobAckInfo>of() : acks) {
      if (ackShardDown.test(a.getJobDescriptor())) {
        unapplied.add(a.getJobDescriptor());
      } else {
        out.add(a);
      }
    }
    return out;
  }

  private synchronized PinLaterDequeueResponse claim(int limit) {
    Map<String, ByteBuffer> jobs = new LinkedHashMap<>();
    Map<String, PinLaterDequeueMetadata> meta = new LinkedHashMap<>();
    while (jobs.size() < limit && !pending.isEmpty()) {
      FakeJob job = pending.poll();
      claimed.put(job.descriptor, job);
      jobs.put(job.descriptor, ByteBuffer.wrap(("body of " + job.descriptor).getBytes(StandardCharsets.UTF_8)));
      meta.put(job.descriptor, new PinLaterDequeueMetadata().setAttemptsAllowed(job.allowed).setAttemptsRemaining(job.remaining));
    }
    handedOut.addAndGet(jobs.size());
    return new PinLaterDequeueResponse().setJobs(jobs).setJobMetadata(meta);
  }

  private static <T> Future<T> fail(ErrorCode code, String what) {
    return Future.exception(new PinLaterException(code, what + " (injected by FakePinLater)"));
  }

  @Override
  public Future<PinLaterDequeueResponse> dequeueJobs(RequestContext context, PinLaterDequeueRequest request) {
    dequeues.add(request.deepCopy());
    if (failDequeue.test(request)) {
      return fail(ErrorCode.SHARD_CONNECTION_FAILED, "dequeue failed");
    }
    List<String> unapplied = new ArrayList<>();
    if (request.getJobAckRequest() != null) {
      PinLaterJobAckRequest reachable = request.getJobAckRequest().deepCopy();
      reachable.setJobsSucceeded(reachableOnly(reachable.getJobsSucceeded(), unapplied));
      reachable.setJobsFailed(reachableOnly(reachable.getJobsFailed(), unapplied));
      apply(reachable);
    }
    PinLaterDequeueResponse response = claim(request.getLimit());
    if (!unapplied.isEmpty()) {
      response.setUnappliedAckDescriptors(unapplied);
    }
    return Future.value(response);
  }

  @Override
  public Future<Void> ackDequeuedJobs(RequestContext context, PinLaterJobAckRequest request) {
    ackCalls.add(request.deepCopy());
    if (ackError != null) {
      return fail(ackError, "ack failed");
    }
    apply(request);
    return Future.value(null);
  }

  @Override
  public Future<Void> checkpointJobs(RequestContext context, PinLaterCheckpointJobsRequest request) {
    checkpoints.add(request.deepCopy());
    return checkpointError == null ? Future.value(null) : fail(checkpointError, "checkpoint failed");
  }

  @Override
  public Future<PinLaterEnqueueResponse> enqueueJobs(RequestContext context, PinLaterEnqueueRequest request) {
    enqueueCalls.incrementAndGet();
    if (enqueueError != null) {
      return fail(enqueueError, "enqueue failed");
    }
    return Future.value(new PinLaterEnqueueResponse(addJobs(request.getJobsSize(), 2)));
  }

  @Override
  public Future<Map<String, PinLaterJobInfo>> lookupJobs(RequestContext context, PinLaterLookupJobRequest request) {
    lookupCalls.incrementAndGet();
    if (lookupFailuresLeft.getAndDecrement() > 0) {
      return fail(lookupError, "lookup failed");
    }
    return Future.value(Map.of());
  }

  private static <T> Future<T> notInFake(String rpc) {
    return fail(ErrorCode.UNKNOWN, rpc + " is not in the fake");
  }

  @Override
  public Future<Void> createQueue(RequestContext context, String name) {
    return Future.value(null);
  }

  @Override
  public Future<Void> deleteQueue(RequestContext context, String name, String password) {
    return notInFake("deleteQueue");
  }

  @Override
  public Future<Integer> getJobCount(RequestContext context, PinLaterGetJobCountRequest request) {
    return notInFake("getJobCount");
  }

  @Override
  public Future<Set<String>> getQueueNames(RequestContext context) {
    return Future.value(Set.of(queue));
  }

  @Override
  public Future<PinLaterScanJobsResponse> scanJobs(RequestContext context, PinLaterScanJobsRequest request) {
    return notInFake("scanJobs");
  }

  @Override
  public Future<Integer> retryFailedJobs(RequestContext context, PinLaterRetryFailedJobsRequest request) {
    return notInFake("retryFailedJobs");
  }

  @Override
  public Future<Integer> deleteJobs(RequestContext context, PinLaterDeleteJobsRequest request) {
    return notInFake("deleteJobs");
  }

  @Override
  public Future<PinLaterCreateScheduleResponse> createSchedule(RequestContext context,
      PinLaterCreateScheduleRequest request) {
    return notInFake("createSchedule");
  }

  @Override
  public Future<PinLaterListSchedulesResponse> listSchedules(RequestContext context,
      PinLaterListSchedulesRequest request) {
    return notInFake("listSchedules");
  }

  @Override
  public Future<PinLaterDeleteScheduleResponse> deleteSchedule(RequestContext context,
      PinLaterDeleteScheduleRequest request) {
    return notInFake("deleteSchedule");
  }
}
