package io.hourglass.fuzz;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.thrift.TException;
import org.apache.thrift.protocol.TBinaryProtocol;
import org.apache.thrift.protocol.TField;
import org.apache.thrift.protocol.TMessage;
import org.apache.thrift.protocol.TMessageType;
import org.apache.thrift.protocol.TStruct;
import org.apache.thrift.protocol.TType;
import org.apache.thrift.transport.TMemoryBuffer;

/** Hostile frames of every kind, from one seeded {@link Random}: the same seed gives the same frames. */
final class FuzzFrames {
  enum Kind {
    /** Random bytes. */
    RANDOM,
    /** A strict message header, then random bytes. */
    RANDOM_AFTER_HEADER,
    /** A real call with bytes flipped, set, inserted, deleted or duplicated. */
    MUTATED_BYTES,
    /** A real call with one field's type changed. */
    FIELD_TYPE,
    /** A real call with one field's id changed. */
    FIELD_ID,
    /** A real call with one field left out: a missing argument or required field. */
    MISSING_FIELD,
    /** A real call with one string's declared length a lie. */
    LYING_STRING_LENGTH,
    /** A real call with one container's declared size a lie. */
    LYING_CONTAINER_SIZE,
    /** A real call cut short, in a frame of the cut length. */
    TRUNCATED_CALL,
    /** A frame whose prefix declares more bytes than are sent before the connection is shut. */
    TRUNCATED_FRAME,
    /** A frame prefix declaring fewer bytes than the call has: the rest is read as the next frame. */
    LYING_FRAME_LENGTH,
    /** A frame prefix above the frame limit, or negative. */
    HUGE_FRAME,
    /** A string, container or old-style method name declared gigabytes long. */
    HUGE_DECLARED_SIZE,
    /** Structs or lists nested thousands deep. */
    DEEP_NESTING,
    /** A real call unchanged (so that the oracle sees normal answers on the fuzz connections too). */
    VALID
  }

  /**
   * One frame on the wire (length prefix included). {@code endsConnection}: the framing itself is
   * broken, so the sender shuts its side after it and expects the server to close.
   */
  record Frame(Kind kind, byte[] wire, boolean endsConnection) {
    /** The frame's payload, if its prefix is honest. */
    byte[] payload() {
      return Arrays.copyOfRange(wire, 4, wire.length);
    }
  }

  private final Random random;
  private final List<byte[]> calls = ValidRequests.all();
  private final int maxFrameBytes;

  FuzzFrames(long seed, int maxFrameBytes) {
    this.random = new Random(seed);
    this.maxFrameBytes = maxFrameBytes;
  }

  Frame next() {
    Kind kind = Kind.values()[random.nextInt(Kind.values().length)];
    return switch (kind) {
      case RANDOM -> framed(kind, randomBytes(random.nextInt(300)));
      case RANDOM_AFTER_HEADER -> {
        byte[] b = randomBytes(4 + random.nextInt(300));
        b[0] = (byte) 0x80;
        b[1] = 1;
        b[2] = 0;
        b[3] = (byte) (1 + random.nextInt(4));
        yield framed(kind, b);
      }
      case MUTATED_BYTES -> framed(kind, mutate(call()));
      case FIELD_TYPE -> framed(kind, ThriftRewriter.rewrite(call(), ThriftRewriter.Edit.FIELD_TYPE, random));
      case FIELD_ID -> framed(kind, ThriftRewriter.rewrite(call(), ThriftRewriter.Edit.FIELD_ID, random));
      case MISSING_FIELD -> framed(kind, ThriftRewriter.rewrite(call(), ThriftRewriter.Edit.DROP_FIELD, random));
      case LYING_STRING_LENGTH ->
          framed(kind, ThriftRewriter.rewrite(call(), ThriftRewriter.Edit.STRING_LENGTH, random));
      case LYING_CONTAINER_SIZE ->
          framed(kind, ThriftRewriter.rewrite(call(), ThriftRewriter.Edit.CONTAINER_SIZE, random));
      case TRUNCATED_CALL -> {
        byte[] c = call();
        yield framed(kind, Arrays.copyOf(c, random.nextInt(c.length)));
      }
      case TRUNCATED_FRAME -> {
        byte[] c = call();
        byte[] cut = Arrays.copyOf(c, random.nextInt(c.length));
        yield new Frame(kind, prefixed(c.length + random.nextInt(100), cut), true);
      }
      case LYING_FRAME_LENGTH -> {
        byte[] c = call();
        yield new Frame(kind, prefixed(random.nextInt(c.length), c), true);
      }
      case HUGE_FRAME -> {
        int declared = switch (random.nextInt(3)) {
          case 0 -> maxFrameBytes + 1 + random.nextInt(1 << 20);
          case 1 -> Integer.MAX_VALUE - random.nextInt(16);
          default -> -1 - random.nextInt(1 << 20);
        };
        yield new Frame(kind, prefixed(declared, randomBytes(random.nextInt(64))), true);
      }
      case HUGE_DECLARED_SIZE -> framed(kind, hugeDeclared());
      case DEEP_NESTING -> framed(kind, deep(100 + random.nextInt(30_000)));
      case VALID -> framed(kind, call());
    };
  }

  private byte[] call() {
    return calls.get(random.nextInt(calls.size()));
  }

  private byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }

  private byte[] mutate(byte[] call) {
    byte[] b = call;
    int edits = 1 + random.nextInt(4);
    for (int e = 0; e < edits && b.length > 0; e++) {
      int at = random.nextInt(b.length);
      switch (random.nextInt(5)) {
        case 0 -> {
          b = b.clone();
          b[at] ^= (byte) (1 << random.nextInt(8));
        }
        case 1 -> {
          b = b.clone();
          b[at] = (byte) random.nextInt(256);
        }
        case 2 -> {
          byte[] ins = randomBytes(1 + random.nextInt(8));
          b = concat(Arrays.copyOf(b, at), ins, Arrays.copyOfRange(b, at, b.length));
        }
        case 3 -> b = concat(Arrays.copyOf(b, at), Arrays.copyOfRange(b, Math.min(b.length, at + 1 + random.nextInt(8)),
            b.length));
        default -> {
          int end = Math.min(b.length, at + 1 + random.nextInt(16));
          b = concat(Arrays.copyOf(b, end), Arrays.copyOfRange(b, at, b.length));
        }
      }
    }
    return b;
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  private byte[] hugeDeclared() {
    int size = Integer.MAX_VALUE - random.nextInt(64);
    if (random.nextInt(5) == 0) {
      // D1: an old-style header, its first i32 a method-name length
      return ByteBuffer.allocate(64).putInt(size & 0x7fffffff).array();
    }
    return encode(p -> {
      p.writeMessageBegin(new TMessage(random.nextBoolean() ? "enqueueJobs" : "lookupJobs", TMessageType.CALL, 1));
      p.writeStructBegin(new TStruct("args"));
      p.writeFieldBegin(new TField("request", TType.STRUCT, (short) 2));
      switch (random.nextInt(3)) {
        case 0 -> {
          p.writeFieldBegin(new TField("queueName", TType.STRING, (short) 1));
          p.writeI32(size);
        }
        case 1 -> {
          p.writeFieldBegin(new TField("jobs", TType.LIST, (short) 2));
          p.writeByte(TType.STRUCT);
          p.writeI32(size);
        }
        default -> {
          p.writeFieldBegin(new TField("m", TType.MAP, (short) 9));
          p.writeByte(TType.STRING);
          p.writeByte(TType.STRING);
          p.writeI32(size);
        }
      }
      p.getTransport().write(randomBytes(random.nextInt(32)));
    });
  }

  private byte[] deep(int depth) {
    boolean lists = random.nextBoolean();
    String method = calls.isEmpty() ? "getQueueNames" : random.nextBoolean() ? "getQueueNames" : "enqueueJobs";
    return encode(p -> {
      p.writeMessageBegin(new TMessage(method, TMessageType.CALL, 3));
      p.writeStructBegin(new TStruct("args"));
      p.writeFieldBegin(new TField("deep", lists ? TType.LIST : TType.STRUCT, (short) (random.nextBoolean() ? 2 : 9)));
      for (int i = 0; i < depth; i++) {
        if (lists) {
          p.writeByte(TType.LIST);
          p.writeI32(1);
        } else {
          p.writeFieldBegin(new TField("d", TType.STRUCT, (short) 1));
        }
      }
      if (!lists) {
        for (int i = 0; i <= depth; i++) {
          p.writeFieldStop();
        }
      }
      p.writeFieldStop();
    });
  }

  private interface Writer {
    void write(TBinaryProtocol p) throws TException;
  }

  private static byte[] encode(Writer w) {
    try {
      TMemoryBuffer buffer = new TMemoryBuffer(256);
      w.write(new TBinaryProtocol(buffer));
      return Arrays.copyOf(buffer.getArray(), buffer.length());
    } catch (TException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Frame framed(Kind kind, byte[] payload) {
    return new Frame(kind, prefixed(payload.length, payload), false);
  }

  private static byte[] prefixed(int declared, byte[] payload) {
    return ByteBuffer.allocate(4 + payload.length).putInt(declared).put(payload).array();
  }
}
