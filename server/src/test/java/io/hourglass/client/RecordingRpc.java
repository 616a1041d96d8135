package io.hourglass.client;

import com.twitter.finagle.Service;
import com.twitter.finagle.Thrift;
import com.twitter.finagle.thrift.ThriftClientRequest;
import com.twitter.util.Await;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The RPC seam between {@link HourglassClient} and a live server, with a recorder in it: counts
 * every ack that reaches the server per descriptor (piggy-backed or alone), and can fail the
 * first dequeue that carries acks without sending it, as a lost connection would.
 */
final class RecordingRpc implements PinLaterRpc, AutoCloseable {
  final Map<String, AtomicInteger> acksSent = new ConcurrentHashMap<>();
  final AtomicInteger injectedDequeueFailures = new AtomicInteger();
  final List<PinLaterJobAckRequest> acksOfFailedDequeues = new java.util.concurrent.CopyOnWriteArrayList<>();
  /** Every failure ack that reached the server, as sent. */
  final List<PinLaterJobAckInfo> failureAcksSent = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final AtomicBoolean failNextDequeueWithAcks = new AtomicBoolean();
  private final Service<ThriftClientRequest, byte[]> service;
  private final PinLaterRpc live;

  RecordingRpc(int port) {
    service = Thrift.client().newService("127.0.0.1:" + port, "recording-test-client");
    live = new FinagleRpc(service);
  }

  /** The next dequeue that carries acks fails before it is sent. */
  void failNextDequeueWithAcks() {
    failNextDequeueWithAcks.set(true);
  }

  private void record(PinLaterJobAckRequest acks) {
    if (acks == null) {
      return;
    }
    List<PinLaterJobAckInfo> all = new ArrayList<>();
    if (acks.getJobsSucceeded() != null) {
      all.addAll(acks.getJobsSucceeded());
    }
    if (acks.getJobsFailed() != null) {
      all.addAll(acks.getJobsFailed());
      failureAcksSent.addAll(acks.getJobsFailed());
    }
    all.forEach(a -> acksSent.computeIfAbsent(a.getJobDescriptor(), d -> new AtomicInteger()).incrementAndGet());
  }

  @Override
  public Future<PinLaterDequeueResponse> dequeueJobs(RequestContext context, PinLaterDequeueRequest request) {
    if (request.getJobAckRequest() != null && failNextDequeueWithAcks.compareAndSet(true, false)) {
      injectedDequeueFailures.incrementAndGet();
      acksOfFailedDequeues.add(request.getJobAckRequest().deepCopy());
      return Future.exception(new PinLaterException(ErrorCode.SHARD_CONNECTION_FAILED, "injected: never sent"));
    }
    return live.dequeueJobs(context, request).onSuccess(r -> {
      record(request.getJobAckRequest());
      return null;
    });
  }

  @Override
  public Future<Void> ackDequeuedJobs(RequestContext context, PinLaterJobAckRequest request) {
    return live.ackDequeuedJobs(context, request).onSuccess(r -> {
      record(request);
      return null;
    });
  }

  @Override
  public Future<Void> createQueue(RequestContext context, String name) {
    return live.createQueue(context, name);
  }

  @Override
  public Future<Void> deleteQueue(RequestContext context, String name, String password) {
    return live.deleteQueue(context, name, password);
  }

  @Override
  public Future<PinLaterEnqueueResponse> enqueueJobs(RequestContext context, PinLaterEnqueueRequest request) {
    return live.enqueueJobs(context, request);
  }

  @Override
  public Future<Void> checkpointJobs(RequestContext context, PinLaterCheckpointJobsRequest request) {
    return live.checkpointJobs(context, request);
  }

  @Override
  public Future<Map<String, PinLaterJobInfo>> lookupJobs(RequestContext context, PinLaterLookupJobRequest request) {
    return live.lookupJobs(context, request);
  }

  @Override
  public Future<Integer> getJobCount(RequestContext context, PinLaterGetJobCountRequest request) {
    return live.getJobCount(context, request);
  }

  @Override
  public Future<Set<String>> getQueueNames(RequestContext context) {
    return live.getQueueNames(context);
  }

  @Override
  public Future<PinLaterScanJobsResponse> scanJobs(RequestContext context, PinLaterScanJobsRequest request) {
    return live.scanJobs(context, request);
  }

  @Override
  public Future<Integer> retryFailedJobs(RequestContext context, PinLaterRetryFailedJobsRequest request) {
    return live.retryFailedJobs(context, request);
  }

  @Override
  public Future<Integer> deleteJobs(RequestContext context, PinLaterDeleteJobsRequest request) {
    return live.deleteJobs(context, request);
  }

  @Override
  public Future<PinLaterCreateScheduleResponse> createSchedule(RequestContext context,
      PinLaterCreateScheduleRequest request) {
    return live.createSchedule(context, request);
  }

  @Override
  public Future<PinLaterListSchedulesResponse> listSchedules(RequestContext context,
      PinLaterListSchedulesRequest request) {
    return live.listSchedules(context, request);
  }

  @Override
  public Future<PinLaterDeleteScheduleResponse> deleteSchedule(RequestContext context,
      PinLaterDeleteScheduleRequest request) {
    return live.deleteSchedule(context, request);
  }

  @Override
  public void close() throws Exception {
    Await.ready(service.close(), com.twitter.util.Duration.fromSeconds(5));
  }
}
