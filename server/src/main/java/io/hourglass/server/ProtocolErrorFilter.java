package io.hourglass.server;

import com.twitter.finagle.Service;
import com.twitter.finagle.SimpleFilter;
import com.twitter.util.Future;
import io.hourglass.thrift.ErrorCode;
import io.hourglass.thrift.PinLaterException;
import java.util.Arrays;
import org.apache.thrift.TApplicationException;
import org.apache.thrift.TException;
import org.apache.thrift.protocol.TField;
import org.apache.thrift.protocol.TMessage;
import org.apache.thrift.protocol.TMessageType;
import org.apache.thrift.protocol.TProtocol;
import org.apache.thrift.protocol.TProtocolFactory;
import org.apache.thrift.protocol.TStruct;
import org.apache.thrift.protocol.TType;
import org.apache.thrift.transport.TMemoryBuffer;
import org.apache.thrift.transport.TMemoryInputTransport;

/**
 * Turns the generated code's answer to a request that breaks the IDL (a required field missing,
 * e.g. a job without a body) from a bare {@code TApplicationException(PROTOCOL_ERROR)} into the
 * API's own {@code PinLaterException(CONTINUATION_INVALID)} — the "bad argument" code — keeping
 * the generated message, which names the field. Every method's result struct declares the
 * exception as field 1, so one filter serves all methods.
 */
final class ProtocolErrorFilter extends SimpleFilter<byte[], byte[]> {
  private final TProtocolFactory protocols;

  ProtocolErrorFilter(TProtocolFactory protocols) {
    this.protocols = protocols;
  }

  @Override
  public Future<byte[]> apply(byte[] request, Service<byte[], byte[]> service) {
    return service.apply(request).map(this::rewrite);
  }

  private byte[] rewrite(byte[] response) {
    // Strict binary header: byte 3 is the message type. Replies, the common case, pass untouched.
    if (response.length < 4 || response[3] != TMessageType.EXCEPTION) {
      return response;
    }
    try {
      TProtocol in = protocols.getProtocol(new TMemoryInputTransport(response));
      TMessage message = in.readMessageBegin();
      TApplicationException error = TApplicationException.readFrom(in);
      if (message.type != TMessageType.EXCEPTION || error.getType() != TApplicationException.PROTOCOL_ERROR) {
        return response;
      }
      return replyWith(message, new PinLaterException(
          ErrorCode.CONTINUATION_INVALID, "malformed " + message.name + " request: " + error.getMessage()));
    } catch (TException e) {
      return response;
    }
  }

  private byte[] replyWith(TMessage request, PinLaterException e) throws TException {
    TMemoryBuffer buffer = new TMemoryBuffer(256);
    TProtocol out = protocols.getProtocol(buffer);
    out.writeMessageBegin(new TMessage(request.name, TMessageType.REPLY, request.seqid));
    out.writeStructBegin(new TStruct(request.name + "_result"));
    out.writeFieldBegin(new TField("e", TType.STRUCT, (short) 1));
    e.write(out);
    out.writeFieldEnd();
    out.writeFieldStop();
    out.writeStructEnd();
    out.writeMessageEnd();
    return Arrays.copyOf(buffer.getArray(), buffer.length());
  }
}
