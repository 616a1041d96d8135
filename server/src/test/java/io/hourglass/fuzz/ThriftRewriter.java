package io.hourglass.fuzz;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import org.apache.thrift.TException;
import org.apache.thrift.protocol.TBinaryProtocol;
import org.apache.thrift.protocol.TField;
import org.apache.thrift.protocol.TList;
import org.apache.thrift.protocol.TMap;
import org.apache.thrift.protocol.TMessage;
import org.apache.thrift.protocol.TProtocolUtil;
import org.apache.thrift.protocol.TSet;
import org.apache.thrift.protocol.TType;
import org.apache.thrift.transport.TMemoryBuffer;
import org.apache.thrift.transport.TMemoryInputTransport;

/**
 * Re-encodes a valid call token by token and changes one thing on the way: a field's type or id,
 * a field left out (a missing argument or required field), or a string's or container's declared
 * length. Positions count field headers (for field edits) or length prefixes (for length edits).
 */
final class ThriftRewriter {
  enum Edit { FIELD_TYPE, FIELD_ID, DROP_FIELD, STRING_LENGTH, CONTAINER_SIZE }

  private static final byte[] TYPES = {TType.BOOL, TType.BYTE, TType.DOUBLE, TType.I16, TType.I32, TType.I64,
      TType.STRING, TType.STRUCT, TType.MAP, TType.SET, TType.LIST, 0x11, 0x7f};

  private final Edit edit;
  private final Random random;
  private int target = -1;
  private int position;
  private TBinaryProtocol in;
  private TBinaryProtocol out;

  private ThriftRewriter(Edit edit, Random random) {
    this.edit = edit;
    this.random = random;
  }

  /** {@code call} with one {@code edit} at a random position, or the call unchanged if it has none. */
  static byte[] rewrite(byte[] call, Edit edit, Random random) {
    ThriftRewriter counter = new ThriftRewriter(edit, random);
    counter.copy(call);
    if (counter.position == 0) {
      return call;
    }
    ThriftRewriter writer = new ThriftRewriter(edit, random);
    writer.target = random.nextInt(counter.position);
    return writer.copy(call);
  }

  private byte[] copy(byte[] call) {
    try {
      in = new TBinaryProtocol(new TMemoryInputTransport(call));
      TMemoryBuffer buffer = new TMemoryBuffer(call.length + 16);
      out = new TBinaryProtocol(buffer);
      TMessage m = in.readMessageBegin();
      out.writeMessageBegin(m);
      copyStruct();
      return Arrays.copyOf(buffer.getArray(), buffer.length());
    } catch (TException e) {
      throw new IllegalStateException("not a valid call: " + e, e);
    }
  }

  private boolean here(Edit kind) {
    return kind == edit && position++ == target;
  }

  private void copyStruct() throws TException {
    in.readStructBegin();
    while (true) {
      TField f = in.readFieldBegin();
      if (f.type == TType.STOP) {
        out.writeFieldStop();
        return;
      }
      boolean fieldEdit = edit == Edit.FIELD_TYPE || edit == Edit.FIELD_ID || edit == Edit.DROP_FIELD;
      if (fieldEdit && here(edit)) {
        switch (edit) {
          case DROP_FIELD -> {
            TProtocolUtil.skip(in, f.type);
            continue;
          }
          case FIELD_TYPE -> out.writeFieldBegin(new TField(f.name, otherType(f.type), f.id));
          default -> out.writeFieldBegin(new TField(f.name, f.type, otherId(f.id)));
        }
      } else {
        out.writeFieldBegin(f);
      }
      copyValue(f.type);
    }
  }

  private byte otherType(byte type) {
    byte t;
    do {
      t = TYPES[random.nextInt(TYPES.length)];
    } while (t == type);
    return t;
  }

  private short otherId(short id) {
    return switch (random.nextInt(4)) {
      case 0 -> (short) (id + 1);
      case 1 -> (short) -id;
      case 2 -> (short) 0;
      default -> (short) random.nextInt(1 << 16);
    };
  }

  /** A length that is not {@code real}: past the end, negative, huge or short. */
  private int lie(int real) {
    return switch (random.nextInt(6)) {
      case 0 -> -1;
      case 1 -> Integer.MIN_VALUE + random.nextInt(16);
      case 2 -> Integer.MAX_VALUE - random.nextInt(16);
      case 3 -> real + 1 + random.nextInt(1000);
      case 4 -> Math.max(0, real - 1 - random.nextInt(Math.max(1, real)));
      default -> 1 << (10 + random.nextInt(20));
    };
  }

  private void copyValue(byte type) throws TException {
    switch (type) {
      case TType.BOOL -> out.writeBool(in.readBool());
      case TType.BYTE -> out.writeByte(in.readByte());
      case TType.I16 -> out.writeI16(in.readI16());
      case TType.I32 -> out.writeI32(in.readI32());
      case TType.I64 -> out.writeI64(in.readI64());
      case TType.DOUBLE -> out.writeDouble(in.readDouble());
      case TType.STRING -> {
        ByteBuffer b = in.readBinary();
        int n = b.remaining();
        out.writeI32(edit == Edit.STRING_LENGTH && here(Edit.STRING_LENGTH) ? lie(n) : n);
        byte[] bytes = new byte[n];
        b.get(bytes);
        out.getTransport().write(bytes);
      }
      case TType.STRUCT -> copyStruct();
      case TType.MAP -> {
        TMap m = in.readMapBegin();
        out.writeByte(m.keyType);
        out.writeByte(m.valueType);
        out.writeI32(size(m.size));
        for (int i = 0; i < m.size; i++) {
          copyValue(m.keyType);
          copyValue(m.valueType);
        }
      }
      case TType.LIST -> {
        TList l = in.readListBegin();
        out.writeByte(l.elemType);
        out.writeI32(size(l.size));
        for (int i = 0; i < l.size; i++) {
          copyValue(l.elemType);
        }
      }
      case TType.SET -> {
        TSet s = in.readSetBegin();
        out.writeByte(s.elemType);
        out.writeI32(size(s.size));
        for (int i = 0; i < s.size; i++) {
          copyValue(s.elemType);
        }
      }
      default -> throw new IllegalStateException("type " + type);
    }
  }

  private int size(int real) {
    return edit == Edit.CONTAINER_SIZE && here(Edit.CONTAINER_SIZE) ? lie(real) : real;
  }
}
