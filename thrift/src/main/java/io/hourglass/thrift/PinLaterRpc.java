package io.hourglass.thrift;

import com.twitter.util.Future;
import java.util.Map;
import java.util.Set;

/**
 * The PinLater service as Future-returning Java methods, one per IDL method, with the generated
 * structs as arguments and results. Apache Thrift's Java generator has no Future flavour, so this
 * is the one hand-written piece of the stubs: the server's edge implements it, the client's
 * Finagle adapter and test doubles implement it too. Failures are {@link PinLaterException}s.
 */
public interface PinLaterRpc {
  Future<Void> createQueue(RequestContext context, String name);

  Future<Void> deleteQueue(RequestContext context, String name, String password);

  Future<PinLaterEnqueueResponse> enqueueJobs(RequestContext context, PinLaterEnqueueRequest request);

  Future<PinLaterDequeueResponse> dequeueJobs(RequestContext context, PinLaterDequeueRequest request);

  Future<Void> ackDequeuedJobs(RequestContext context, PinLaterJobAckRequest request);

  Future<Void> checkpointJobs(RequestContext context, PinLaterCheckpointJobsRequest request);

  Future<Map<String, PinLaterJobInfo>> lookupJobs(RequestContext context, PinLaterLookupJobRequest request);

  Future<Integer> getJobCount(RequestContext context, PinLaterGetJobCountRequest request);

  Future<Set<String>> getQueueNames(RequestContext context);

  Future<PinLaterScanJobsResponse> scanJobs(RequestContext context, PinLaterScanJobsRequest request);

  Future<Integer> retryFailedJobs(RequestContext context, PinLaterRetryFailedJobsRequest request);

  Future<Integer> deleteJobs(RequestContext context, PinLaterDeleteJobsRequest request);

  /** EXTENSION (schedules). */
  Future<PinLaterCreateScheduleResponse> createSchedule(RequestContext context, PinLaterCreateScheduleRequest request);

  /** EXTENSION (schedules). */
  Future<PinLaterListSchedulesResponse> listSchedules(RequestContext context, PinLaterListSchedulesRequest request);

  /** EXTENSION (schedules). */
  Future<PinLaterDeleteScheduleResponse> deleteSchedule(RequestContext context, PinLaterDeleteScheduleRequest request);
}
