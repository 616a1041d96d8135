package io.hourglass.server.edge;

import io.hourglass.server.config.ServerConfig.ThriftLimits;
import org.apache.thrift.TConfiguration;
import org.apache.thrift.TException;
import org.apache.thrift.protocol.TBinaryProtocol;
import org.apache.thrift.protocol.TList;
import org.apache.thrift.protocol.TMap;
import org.apache.thrift.protocol.TProtocol;
import org.apache.thrift.protocol.TProtocolException;
import org.apache.thrift.protocol.TProtocolFactory;
import org.apache.thrift.protocol.TSet;
import org.apache.thrift.protocol.TStruct;
import org.apache.thrift.transport.TMemoryInputTransport;
import org.apache.thrift.transport.TTransport;
import org.apache.thrift.transport.TTransportException;

/**
 * The binary protocol as the server reads it: strict message headers only (every PinLater-IDL
 * client sends them; an old-style header's first i32 would be a name length the attacker picks),
 * every declared length checked against the bytes left in the frame and against
 * thrift.maxStringBytes / thrift.maxContainerItems before anything is allocated (libthrift's
 * TConfiguration and length limits), and at most {@link #MAX_DEPTH} nested structs and
 * containers, so skipping a 20,000-deep unknown field ends in a clean protocol error instead of
 * a StackOverflowError.
 */
final class BoundedProtocol implements TProtocolFactory {
  /** The IDL nests four deep; anything near this is hostile. */
  static final int MAX_DEPTH = 64;

  private final ThriftLimits limits;
  private final TConfiguration configuration;

  BoundedProtocol(ThriftLimits limits) {
    this.limits = limits;
    this.configuration = TConfiguration.custom()
        .setMaxMessageSize(limits.maxFrameBytes())
        .setMaxFrameSize(limits.maxFrameBytes())
        .setRecursionLimit(MAX_DEPTH)
        .build();
  }

  /** A protocol reading one received frame, bounded by its length. */
  TProtocol reading(byte[] frame) throws TTransportException {
    return getProtocol(new TMemoryInputTransport(configuration, frame));
  }

  @Override
  public TProtocol getProtocol(TTransport transport) {
    return new DepthLimited(transport, limits);
  }

  private static final class DepthLimited extends TBinaryProtocol {
    private int depth;

    DepthLimited(TTransport transport, ThriftLimits limits) {
      super(transport, limits.maxStringBytes(), limits.maxContainerItems(), true, true);
    }

    private void enter() throws TProtocolException {
      if (++depth > MAX_DEPTH) {
        throw new TProtocolException(TProtocolException.DEPTH_LIMIT,
            "nested deeper than " + MAX_DEPTH + " structs/containers");
      }
    }

    /**
     * libthrift 0.20's fast path hands a negative length straight to {@code new String(...)}
     * (a StringIndexOutOfBoundsException instead of a protocol error); the checked path refuses it.
     */
    @Override
    public String readString() throws TException {
      return readStringBody(readI32());
    }

    @Override
    public TStruct readStructBegin() throws TException {
      enter();
      return super.readStructBegin();
    }

    @Override
    public void readStructEnd() throws TException {
      depth--;
      super.readStructEnd();
    }

    @Override
    public TList readListBegin() throws TException {
      enter();
      return super.readListBegin();
    }

    @Override
    public void readListEnd() throws TException {
      depth--;
      super.readListEnd();
    }

    @Override
    public TSet readSetBegin() throws TException {
      enter();
      return super.readSetBegin();
    }

    @Override
    public void readSetEnd() throws TException {
      depth--;
      super.readSetEnd();
    }

    @Override
    public TMap readMapBegin() throws TException {
      enter();
      return super.readMapBegin();
    }

    @Override
    public void readMapEnd() throws TException {
      depth--;
      super.readMapEnd();
    }
  }
}
