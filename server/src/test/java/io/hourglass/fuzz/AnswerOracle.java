package io.hourglass.fuzz;

import io.hourglass.thrift.PinLater;
import java.util.Map;
import org.apache.thrift.TApplicationException;
import org.apache.thrift.TBase;
import org.apache.thrift.TConfiguration;
import org.apache.thrift.TFieldIdEnum;
import org.apache.thrift.meta_data.FieldMetaData;
import org.apache.thrift.protocol.TBinaryProtocol;
import org.apache.thrift.protocol.TMessage;
import org.apache.thrift.protocol.TMessageType;
import org.apache.thrift.protocol.TType;
import org.apache.thrift.transport.TMemoryInputTransport;

/**
 * Judges the server's answer to one fuzz frame. The frame is first decoded here, with stock
 * libthrift and the server's limits, to know what it is: an unreadable header, a call of an
 * unknown method, a call that breaks the IDL, or a valid call. Accepted answers:
 *
 * <ul>
 *   <li>a REPLY of the called method with the same seqid whose result holds a
 *       {@code PinLaterException} — for anything with a readable header (the dispatcher answers
 *       IDL violations with {@code CONTINUATION_INVALID}, bad values with their error code);
 *   <li>a REPLY holding a success value — only for a frame that decodes here as a valid call (a
 *       mutation can leave a call valid: a flipped bit inside a body);
 *   <li>a {@code TApplicationException} of type {@code PROTOCOL_ERROR} (bytes that are not a valid
 *       call) or {@code UNKNOWN_METHOD} (a name the IDL does not have) — what ThriftDispatcher
 *       answers for unreadable input; {@code INTERNAL_ERROR} (the edge failed with something other
 *       than a PinLaterException) or any other type is a defect;
 *   <li>the connection closed — for anything but a valid call (Finagle reads each message header
 *       itself and closes the connection on one it cannot read).
 * </ul>
 */
final class AnswerOracle {
  /** What a frame is, as decoded here. */
  record Decoded(boolean headerReadable, String name, int seqid, boolean knownMethod, boolean validCall) {}

  private final TConfiguration configuration;
  private final int maxStringBytes;
  private final int maxContainerItems;

  AnswerOracle(int maxFrameBytes, int maxStringBytes, int maxContainerItems) {
    this.configuration = TConfiguration.custom().setMaxMessageSize(maxFrameBytes).setMaxFrameSize(maxFrameBytes).build();
    this.maxStringBytes = maxStringBytes;
    this.maxContainerItems = maxContainerItems;
  }

  Decoded decode(byte[] payload) {
    TBinaryProtocol p;
    TMessage m;
    try {
      p = new TBinaryProtocol(new TMemoryInputTransport(configuration, payload), maxStringBytes, maxContainerItems,
          true, true);
      m = p.readMessageBegin();
    } catch (Exception | StackOverflowError e) {
      return new Decoded(false, "", 0, false, false);
    }
    TBase<?, ?> args = struct(m.name, "_args");
    if (args == null) {
      return new Decoded(true, m.name, m.seqid, false, false);
    }
    boolean valid;
    try {
      args.read(p);
      p.readMessageEnd();
      valid = (m.type == TMessageType.CALL || m.type == TMessageType.ONEWAY) && structsPresent(args);
    } catch (Exception | StackOverflowError e) {
      valid = false;
    }
    return new Decoded(true, m.name, m.seqid, true, valid);
  }

  /** An answer's kind (for the counts) and, if the oracle rejects it, why; else null. */
  record Verdict(String answer, String problem) {}

  /** How {@code reply} answers a frame decoded as {@code sent}. */
  Verdict judge(Decoded sent, byte[] reply) {
    String[] answer = {"unreadable"};
    String problem = problem(sent, reply, answer);
    return new Verdict(answer[0], problem);
  }

  private String problem(Decoded sent, byte[] reply, String[] answer) {
    try {
      TBinaryProtocol p = new TBinaryProtocol(new TMemoryInputTransport(configuration, reply));
      TMessage m = p.readMessageBegin();
      if (sent.headerReadable() && m.seqid != sent.seqid()) {
        return "reply seqid " + m.seqid + " to a call with seqid " + sent.seqid();
      }
      if (m.type == TMessageType.EXCEPTION) {
        TApplicationException e = TApplicationException.readFrom(p);
        answer[0] = "TApplicationException(" + e.getType() + ")";
        if (e.getType() == TApplicationException.PROTOCOL_ERROR) {
          return sent.validCall() ? "PROTOCOL_ERROR for a valid call: " + e.getMessage() : null;
        }
        if (e.getType() == TApplicationException.UNKNOWN_METHOD) {
          return sent.knownMethod() ? "UNKNOWN_METHOD for " + sent.name() : null;
        }
        return "TApplicationException type " + e.getType() + ": " + e.getMessage();
      }
      if (m.type != TMessageType.REPLY) {
        return "message type " + m.type;
      }
      if (!m.name.equals(sent.name())) {
        return "reply for '" + m.name + "' to a call of '" + sent.name() + "'";
      }
      TBase<?, ?> result = struct(m.name, "_result");
      if (result == null) {
        return "reply of unknown method " + m.name;
      }
      result.read(p);
      p.readMessageEnd();
      @SuppressWarnings({"unchecked", "rawtypes"})
      boolean failed = ((TBase) result).isSet(result.fieldForId(1));
      answer[0] = failed ? "PinLaterException" : "success";
      if (failed) {
        return null;
      }
      return sent.validCall() ? null : "a success reply to a call that is not valid";
    } catch (Exception e) {
      return "unreadable reply: " + e;
    }
  }

  /** Null if a close is an accepted answer to {@code sent}, else why not. */
  String judgeClose(Decoded sent) {
    return sent.validCall() ? "connection closed on a valid call of " + sent.name() : null;
  }

  private static TBase<?, ?> struct(String method, String suffix) {
    try {
      return (TBase<?, ?>) Class.forName(PinLater.class.getName() + "$" + method + suffix)
          .getDeclaredConstructor().newInstance();
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      return null;
    }
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static boolean structsPresent(TBase args) {
    Map<? extends TFieldIdEnum, FieldMetaData> fields = FieldMetaData.getStructMetaDataMap(args.getClass());
    for (Map.Entry<? extends TFieldIdEnum, FieldMetaData> f : fields.entrySet()) {
      if (f.getValue().valueMetaData.type == TType.STRUCT && !args.isSet(f.getKey())) {
        return false;
      }
    }
    return true;
  }
}
