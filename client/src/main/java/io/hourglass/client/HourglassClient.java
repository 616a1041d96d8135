package io.hourglass.client;

import com.twitter.finagle.Service;
import com.twitter.finagle.Thrift;
import com.twitter.finagle.thrift.ThriftClientRequest;
import com.twitter.util.Await;
import com.twitter.util.Future;
import io.hourglass.thrift.PinLaterCheckpointJobsRequest;
import io.hourglass.thrift.PinLaterDeleteJobsRequest;
import io.hourglass.thrift.PinLaterDequeueRequest;
import io.hourglass.thrift.PinLaterDequeueResponse;
import io.hourglass.thrift.PinLaterCreateScheduleRequest;
import io.hourglass.thrift.PinLaterDeleteScheduleRequest;
import io.hourglass.thrift.PinLaterEnqueueRequest;
import io.hourglass.thrift.PinLaterEnqueueResponse;
import io.hourglass.thrift.PinLaterListSchedulesRequest;
import io.hourglass.thrift.PinLaterSchedule;
import io.hourglass.thrift.PinLaterException;
import io.hourglass.thrift.PinLaterGetJobCountRequest;
import io.hourglass.thrift.PinLaterJobAckRequest;
import io.hourglass.thrift.PinLaterJobInfo;
import io.hourglass.thrift.PinLaterLookupJobRequest;
import io.hourglass.thrift.PinLaterRetryFailedJobsRequest;
import io.hourglass.thrift.PinLaterRpc;
import io.hourglass.thrift.PinLaterScanJobsRequest;
import io.hourglass.thrift.PinLaterScanJobsResponse;
import io.hourglass.thrift.RequestContext;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * A blocking Java client for every Hourglass RPC. Thread-safe; one per process is enough (it
 * keeps connections to every server and load-balances over them).
 *
 * <p>How is this designed, and why? Every method blocks until the answer arrives and throws
 * {@link HourglassException} on failure, so callers write plain Java. Requests are the Thrift
 * request structs (they already carry every optional field with its default); answers are
 * plain Java types. The RequestContext is filled in from {@link ClientConfig#source()}.
 *
 * <p>Retries: only the idempotent reads (lookupJobs, getJobCount, getQueueNames, scanJobs) are
 * retried, up to {@link ClientConfig#readAttempts()} tries, on {@linkplain
 * HourglassException#isTransient() transient} failures. Enqueue, dequeue, acks and the admin
 * writes are tried once: resending them could enqueue twice, or claim jobs nobody processes.
 * (Finagle itself only re-sends a request that provably never left the client.)
 */
public final class HourglassClient implements AutoCloseable {
  private static final Duration FIRST_READ_RETRY_DELAY = Duration.ofMillis(50);

  private final PinLaterRpc rpc;
  private final ClientConfig config;
  private final AutoCloseable connection;
  private final AtomicLong requestIds = new AtomicLong();

  private HourglassClient(PinLaterRpc rpc, ClientConfig config, AutoCloseable connection) {
    this.rpc = rpc;
    this.config = config;
    this.connection = connection;
  }

  /** Connects to {@code config.servers()} through Finagle. Connections open lazily. */
  public static HourglassClient connect(ClientConfig config) {
    Thrift.Client finagle = Thrift.client()
        .withRequestTimeout(twitter(config.requestTimeout()))
        .withTransport().connectTimeout(twitter(config.connectTimeout()))
        .withSession().acquisitionTimeout(twitter(config.connectTimeout().plus(config.requestTimeout())));
    if (config.servers().size() == 1) {
      // Fail-fast marks a server down after one failed connect and fails every request at once
      // until a background reconnect succeeds: useful with others to fall back on, but with a
      // single server it only stretches a short restart into many seconds of errors.
      finagle = finagle.withSessionQualifier().noFailFast();
    }
    Service<ThriftClientRequest, byte[]> service = finagle.newService(config.destination(), "hourglass-client");
    PinLaterRpc rpc = new FinagleRpc(service);
    return new HourglassClient(rpc, config, () -> Await.ready(service.close(), twitter(Duration.ofSeconds(5))));
  }

  /**
   * A client over any implementation of the Thrift interface: a custom Finagle stack, or a test
   * double. {@link #close()} leaves {@code rpc} alone.
   */
  public static HourglassClient over(PinLaterRpc rpc, ClientConfig config) {
    return new HourglassClient(rpc, config, () -> {});
  }

  public ClientConfig config() {
    return config;
  }

  public void createQueue(String name) {
    call("createQueue", ctx -> rpc.createQueue(ctx, name));
  }

  public void deleteQueue(String name, String password) {
    call("deleteQueue", ctx -> rpc.deleteQueue(ctx, name, password));
  }

  /** Returns one descriptor per job, in the order of the request's jobs. */
  public List<String> enqueueJobs(PinLaterEnqueueRequest request) {
    return enqueue(request).getJobDescriptors();
  }

  /**
   * The whole answer: descriptors and (EXTENSION, unique keys) {@code existingJobIndexes}, the
   * jobs that were not stored because an unfinished job held their key. Safe to retry when every
   * job has a unique key.
   */
  public PinLaterEnqueueResponse enqueue(PinLaterEnqueueRequest request) {
    return call("enqueueJobs", ctx -> rpc.enqueueJobs(ctx, request));
  }

  /** EXTENSION: creates a schedule (one job per tick, enqueued by the server). */
  public PinLaterSchedule createSchedule(PinLaterCreateScheduleRequest request) {
    return call("createSchedule", ctx -> rpc.createSchedule(ctx, request)).getSchedule();
  }

  /** EXTENSION: the schedules of {@code queue}, or of every queue when null, by id. */
  public List<PinLaterSchedule> listSchedules(String queue) {
    PinLaterListSchedulesRequest request = new PinLaterListSchedulesRequest();
    if (queue != null) {
      request.setQueueName(queue);
    }
    return read("listSchedules", ctx -> rpc.listSchedules(ctx, request)).getSchedules();
  }

  /** EXTENSION: deletes a schedule; false when there was none with that id. */
  public boolean deleteSchedule(long scheduleId) {
    return call("deleteSchedule", ctx -> rpc.deleteSchedule(ctx, new PinLaterDeleteScheduleRequest(scheduleId)))
        .isDeleted();
  }

  public PinLaterDequeueResponse dequeueJobs(PinLaterDequeueRequest request) {
    return call("dequeueJobs", ctx -> rpc.dequeueJobs(ctx, request));
  }

  public void ackDequeuedJobs(PinLaterJobAckRequest request) {
    call("ackDequeuedJobs", ctx -> rpc.ackDequeuedJobs(ctx, request));
  }

  public void checkpointJobs(PinLaterCheckpointJobsRequest request) {
    call("checkpointJobs", ctx -> rpc.checkpointJobs(ctx, request));
  }

  /** Job info by descriptor; unknown descriptors are left out. */
  public Map<String, PinLaterJobInfo> lookupJobs(PinLaterLookupJobRequest request) {
    return read("lookupJobs", ctx -> rpc.lookupJobs(ctx, request));
  }

  public int getJobCount(PinLaterGetJobCountRequest request) {
    return read("getJobCount", ctx -> rpc.getJobCount(ctx, request));
  }

  public Set<String> getQueueNames() {
    return read("getQueueNames", rpc::getQueueNames);
  }

  public PinLaterScanJobsResponse scanJobs(PinLaterScanJobsRequest request) {
    return read("scanJobs", ctx -> rpc.scanJobs(ctx, request));
  }

  /** Returns how many FAILED jobs moved back to PENDING. */
  public int retryFailedJobs(PinLaterRetryFailedJobsRequest request) {
    return call("retryFailedJobs", ctx -> rpc.retryFailedJobs(ctx, request));
  }

  /** Returns how many jobs were deleted. */
  public int deleteJobs(PinLaterDeleteJobsRequest request) {
    return call("deleteJobs", ctx -> rpc.deleteJobs(ctx, request));
  }

  private <T> T read(String name, Function<RequestContext, Future<T>> send) {
    Duration delay = FIRST_READ_RETRY_DELAY;
    for (int attempt = 1; ; attempt++) {
      try {
        return call(name, send);
      } catch (HourglassException e) {
        if (!e.isTransient() || attempt >= config.readAttempts()) {
          throw e;
        }
      }
      pause(name, delay);
      delay = delay.multipliedBy(2);
    }
  }

  private <T> T call(String name, Function<RequestContext, Future<T>> send) {
    RequestContext context = new RequestContext(config.source())
        .setRequestId(Long.toHexString(requestIds.incrementAndGet()));
    try {
      // Finagle's request timeout ends the call first; this bound only guards against a hang.
      return Await.result(send.apply(context), twitter(awaitBound()));
    } catch (Exception e) {
      throw translate(name, e);
    }
  }

  private Duration awaitBound() {
    return config.requestTimeout().plus(config.connectTimeout()).plusSeconds(5);
  }

  static HourglassException translate(String name, Throwable t) {
    if (t instanceof HourglassException e) {
      return e;
    }
    if (t instanceof PinLaterException e) {
      return new HourglassException(name, e.getErrorCode(), e.getMessage(), e);
    }
    if (t instanceof InterruptedException) {
      Thread.currentThread().interrupt();
    }
    String what = t.getMessage() == null ? t.getClass().getSimpleName() : t.getClass().getSimpleName() + ": " + t.getMessage();
    return new HourglassException(name, null, what, t);
  }

  private static void pause(String name, Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new HourglassException(name, null, "interrupted while waiting to retry", e);
    }
  }

  private static com.twitter.util.Duration twitter(Duration d) {
    return com.twitter.util.Duration.fromMilliseconds(d.toMillis());
  }

  /** Closes the connections (in-flight calls fail). */
  @Override
  public void close() {
    try {
      connection.close();
    } catch (Exception e) {
      // Closing is best effort: the connections die with the process anyway.
    }
  }
}
