package io.hourglass.bench;

import io.hourglass.client.ClientConfig;
import io.hourglass.client.HourglassClient;
import io.hourglass.thrift.PinLater;
import io.hourglass.thrift.PinLaterDequeueRequest;
import io.hourglass.thrift.PinLaterDequeueResponse;
import io.hourglass.thrift.PinLaterEnqueueRequest;
import io.hourglass.thrift.PinLaterJobAckRequest;
import io.hourglass.thrift.RequestContext;
import org.apache.thrift.TException;
import org.apache.thrift.protocol.TBinaryProtocol;
import org.apache.thrift.transport.layered.TFramedTransport;
import org.apache.thrift.transport.TSocket;

/**
 * The three RPCs the load uses, over one connection, one call at a time. Two ways to send them,
 * so that the client's own cost can be told apart from the server's (see {@link Kind}).
 */
interface Rpc extends AutoCloseable {
  int enqueue(PinLaterEnqueueRequest request) throws Exception;

  PinLaterDequeueResponse dequeue(PinLaterDequeueRequest request) throws Exception;

  void ack(PinLaterJobAckRequest request) throws Exception;

  /** getQueueNames: how many queues there are. */
  int queueNames() throws Exception;

  @Override
  void close();

  enum Kind {
    /** Plain libthrift: blocking socket, framed transport, binary protocol; the lightest client there is. */
    THRIFT,
    /** The project's {@link HourglassClient} (Finagle). */
    FINAGLE;

    Rpc connect(String host, int port, String source) throws Exception {
      return this == THRIFT ? new PlainThrift(host, port, source) : new Finagle(host + ":" + port, source);
    }
  }

  /** libthrift's generated synchronous client over a blocking socket (no read timeout: long-polls block). */
  final class PlainThrift implements Rpc {
    private static final int MAX_FRAME_BYTES = 64 << 20;
    private final TFramedTransport transport;
    private final PinLater.Client client;
    private final RequestContext context;

    PlainThrift(String host, int port, String source) throws TException {
      transport = new TFramedTransport(new TSocket(host, port), MAX_FRAME_BYTES);
      transport.open();
      client = new PinLater.Client(new TBinaryProtocol(transport));
      context = new RequestContext(source);
    }

    @Override
    public int enqueue(PinLaterEnqueueRequest request) throws Exception {
      return client.enqueueJobs(context, request).getJobDescriptors().size();
    }

    @Override
    public PinLaterDequeueResponse dequeue(PinLaterDequeueRequest request) throws Exception {
      return client.dequeueJobs(context, request);
    }

    @Override
    public void ack(PinLaterJobAckRequest request) throws Exception {
      client.ackDequeuedJobs(context, request);
    }

    @Override
    public int queueNames() throws Exception {
      return client.getQueueNames(context).size();
    }

    @Override
    public void close() {
      transport.close();
    }
  }

  final class Finagle implements Rpc {
    private final HourglassClient client;

    Finagle(String address, String source) {
      client = HourglassClient.connect(ClientConfig.of(address).withSource(source));
    }

    @Override
    public int enqueue(PinLaterEnqueueRequest request) {
      return client.enqueueJobs(request).size();
    }

    @Override
    public PinLaterDequeueResponse dequeue(PinLaterDequeueRequest request) {
      return client.dequeueJobs(request);
    }

    @Override
    public void ack(PinLaterJobAckRequest request) {
      client.ackDequeuedJobs(request);
    }

    @Override
    public int queueNames() {
      return client.getQueueNames().size();
    }

    @Override
    public void close() {
      client.close();
    }
  }
}
