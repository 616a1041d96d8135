package io.hourglass.client;

import com.twitter.finagle.Service;
import com.twitter.finagle.thrift.ThriftClientRequest;
import com.twitter.util.Future;
import io.hourglass.thrift.PinLater;
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
import io.hourglass.thrift.PinLaterGetJobCountRequest;
import io.hourglass.thrift.PinLaterJobAckRequest;
import io.hourglass.thrift.PinLaterJobInfo;
import io.hourglass.thrift.PinLaterLookupJobRequest;
import io.hourglass.thrift.PinLaterRetryFailedJobsRequest;
import io.hourglass.thrift.PinLaterRpc;
import io.hourglass.thrift.PinLaterScanJobsRequest;
import io.hourglass.thrift.PinLaterScanJobsResponse;
import io.hourglass.thrift.RequestContext;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import org.apache.thrift.TConfiguration;
import org.apache.thrift.TException;
import org.apache.thrift.protocol.TBinaryProtocol;
import org.apache.thrift.transport.TMemoryBuffer;
import org.apache.thrift.transport.TMemoryInputTransport;

/**
 * {@link PinLaterRpc} over a Finagle Thrift client (which load-balances over the servers): each
 * call is encoded by the generated {@code PinLater.Client.send_X} into memory, sent as bytes
 * through Finagle, and its reply decoded by {@code recv_X}, which also raises the
 * PinLaterException the server answered.
 */
final class FinagleRpc implements PinLaterRpc {
  private static final byte[] EMPTY = new byte[0];
  private static final TConfiguration REPLIES =
      TConfiguration.custom().setMaxMessageSize(Integer.MAX_VALUE).setMaxFrameSize(Integer.MAX_VALUE).build();
  private final Service<ThriftClientRequest, byte[]> finagle;

  FinagleRpc(Service<ThriftClientRequest, byte[]> finagle) {
    this.finagle = finagle;
  }

  private interface Send {
    void to(PinLater.Client client) throws TException;
  }

  private interface Receive<T> {
    T from(PinLater.Client client) throws TException;
  }

  /** The one adapter: encode with send_X, send the bytes, decode the reply with recv_X. */
  private <T> Future<T> call(Send send, Receive<T> receive) {
    TMemoryBuffer out;
    TMemoryInputTransport in;
    PinLater.Client client;
    try {
      out = new TMemoryBuffer(256);
      // The whole reply is already in memory, from the server we chose: no size limit beyond it.
      in = new TMemoryInputTransport(REPLIES, EMPTY);
      // One client for both halves: recv_X checks the reply's sequence id against send_X's.
      client = new PinLater.Client(new TBinaryProtocol(in), new TBinaryProtocol(out));
      send.to(client);
    } catch (TException e) {
      return Future.exception(e);
    }
    byte[] request = Arrays.copyOf(out.getArray(), out.length());
    return finagle.apply(new ThriftClientRequest(request, false)).flatMap(com.twitter.util.Function.func(reply -> {
      try {
        in.reset(reply);
        return Future.value(receive.from(client));
      } catch (TException e) {
        return Future.exception(e);
      }
    }));
  }

  private Future<Void> done(Send send, Receive<Void> receive) {
    return call(send, receive);
  }

  @Override
  public Future<Void> createQueue(RequestContext context, String name) {
    return done(c -> c.send_createQueue(context, name), c -> {
      c.recv_createQueue();
      return null;
    });
  }

  @Override
  public Future<Void> deleteQueue(RequestContext context, String name, String password) {
    return done(c -> c.send_deleteQueue(context, name, password), c -> {
      c.recv_deleteQueue();
      return null;
    });
  }

  @Override
  public Future<PinLaterEnqueueResponse> enqueueJobs(RequestContext context, PinLaterEnqueueRequest request) {
    return call(c -> c.send_enqueueJobs(context, request), PinLater.Client::recv_enqueueJobs);
  }

  @Override
  public Future<PinLaterDequeueResponse> dequeueJobs(RequestContext context, PinLaterDequeueRequest request) {
    return call(c -> c.send_dequeueJobs(context, request), PinLater.Client::recv_dequeueJobs);
  }

  @Override
  public Future<Void> ackDequeuedJobs(RequestContext context, PinLaterJobAckRequest request) {
    return done(c -> c.send_ackDequeuedJobs(context, request), c -> {
      c.recv_ackDequeuedJobs();
      return null;
    });
  }

  @Override
  public Future<Void> checkpointJobs(RequestContext context, PinLaterCheckpointJobsRequest request) {
    return done(c -> c.send_checkpointJobs(context, request), c -> {
      c.recv_checkpointJobs();
      return null;
    });
  }

  @Override
  public Future<Map<String, PinLaterJobInfo>> lookupJobs(RequestContext context, PinLaterLookupJobRequest request) {
    return call(c -> c.send_lookupJobs(context, request), PinLater.Client::recv_lookupJobs);
  }

  @Override
  public Future<Integer> getJobCount(RequestContext context, PinLaterGetJobCountRequest request) {
    return call(c -> c.send_getJobCount(context, request), PinLater.Client::recv_getJobCount);
  }

  @Override
  public Future<Set<String>> getQueueNames(RequestContext context) {
    return call(c -> c.send_getQueueNames(context), PinLater.Client::recv_getQueueNames);
  }

  @Override
  public Future<PinLaterScanJobsResponse> scanJobs(RequestContext context, PinLaterScanJobsRequest request) {
    return call(c -> c.send_scanJobs(context, request), PinLater.Client::recv_scanJobs);
  }

  @Override
  public Future<Integer> retryFailedJobs(RequestContext context, PinLaterRetryFailedJobsRequest request) {
    return call(c -> c.send_retryFailedJobs(context, request), PinLater.Client::recv_retryFailedJobs);
  }

  @Override
  public Future<Integer> deleteJobs(RequestContext context, PinLaterDeleteJobsRequest request) {
    return call(c -> c.send_deleteJobs(context, request), PinLater.Client::recv_deleteJobs);
  }

  @Override
  public Future<PinLaterCreateScheduleResponse> createSchedule(RequestContext context,
      PinLaterCreateScheduleRequest request) {
    return call(c -> c.send_createSchedule(context, request), PinLater.Client::recv_createSchedule);
  }

  @Override
  public Future<PinLaterListSchedulesResponse> listSchedules(RequestContext context,
      PinLaterListSchedulesRequest request) {
    return call(c -> c.send_listSchedules(context, request), PinLater.Client::recv_listSchedules);
  }

  @Override
  public Future<PinLaterDeleteScheduleResponse> deleteSchedule(RequestContext context,
      PinLaterDeleteScheduleRequest request) {
    return call(c -> c.send_deleteSchedule(context, request), PinLater.Client::recv_deleteSchedule);
  }
}
