package io.hourglass.server.edge;

import com.twitter.finagle.Service;
import com.twitter.util.Function;
import com.twitter.util.Future;
import io.hourglass.thrift.ErrorCode;
import io.hourglass.thrift.PinLater;
import io.hourglass.thrift.PinLaterException;
import io.hourglass.thrift.PinLaterRpc;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.thrift.TApplicationException;
import org.apache.thrift.TBase;
import org.apache.thrift.TException;
import org.apache.thrift.TFieldIdEnum;
import org.apache.thrift.meta_data.EnumMetaData;
import org.apache.thrift.meta_data.FieldMetaData;
import org.apache.thrift.protocol.TMessage;
import org.apache.thrift.protocol.TMessageType;
import org.apache.thrift.protocol.TProtocol;
import org.apache.thrift.protocol.TProtocolException;
import org.apache.thrift.protocol.TProtocolUtil;
import org.apache.thrift.protocol.TType;
import org.apache.thrift.transport.TMemoryBuffer;

/**
 * The byte-level Thrift service Finagle serves: reads one call with the {@link BoundedProtocol},
 * dispatches it by method name to the edge ({@link PinLaterRpc}) using the generated
 * {@code PinLater.<method>_args} / {@code _result} structs, and writes the reply.
 *
 * <ul>
 *   <li>A request that breaks the IDL — a required field missing or holding an enum value the IDL
 *       does not define, or a request struct left out — is answered with
 *       {@code PinLaterException(CONTINUATION_INVALID)} naming the field.
 *   <li>An unknown method gets {@code TApplicationException(UNKNOWN_METHOD)}.
 *   <li>Bytes that are not a valid call (bad header, lying lengths, too deep, truncated) get
 *       {@code TApplicationException(PROTOCOL_ERROR)} and one rate-limited log line.
 * </ul>
 */
final class ThriftDispatcher extends Service<byte[], byte[]> {
  private static final Pattern REQUIRED_FIELD = Pattern.compile("Required field '([^']+)'");
  private static final Pattern STRUCT = Pattern.compile("Struct: (\\w+)\\(");

  /** One IDL method: how to make its argument and result structs, and the edge call. */
  private record Method<A extends TBase<?, ?>>(
      Supplier<A> args, Supplier<TBase<?, ?>> result, java.util.function.Function<A, Future<?>> call) {}

  private final BoundedProtocol protocol;
  private final MalformedRequestLog malformed;
  private final Map<String, Method<?>> methods = new HashMap<>();

  ThriftDispatcher(PinLaterRpc rpc, BoundedProtocol protocol, MalformedRequestLog malformed) {
    this.protocol = protocol;
    this.malformed = malformed;
    add("createQueue", PinLater.createQueue_args::new, PinLater.createQueue_result::new,
        a -> rpc.createQueue(a.context, a.name));
    add("deleteQueue", PinLater.deleteQueue_args::new, PinLater.deleteQueue_result::new,
        a -> rpc.deleteQueue(a.context, a.name, a.password));
    add("enqueueJobs", PinLater.enqueueJobs_args::new, PinLater.enqueueJobs_result::new,
        a -> rpc.enqueueJobs(a.context, a.request));
    add("dequeueJobs", PinLater.dequeueJobs_args::new, PinLater.dequeueJobs_result::new,
        a -> rpc.dequeueJobs(a.context, a.request));
    add("ackDequeuedJobs", PinLater.ackDequeuedJobs_args::new, PinLater.ackDequeuedJobs_result::new,
        a -> rpc.ackDequeuedJobs(a.context, a.request));
    add("checkpointJobs", PinLater.checkpointJobs_args::new, PinLater.checkpointJobs_result::new,
        a -> rpc.checkpointJobs(a.context, a.request));
    add("lookupJobs", PinLater.lookupJobs_args::new, PinLater.lookupJobs_result::new,
        a -> rpc.lookupJobs(a.context, a.request));
    add("getJobCount", PinLater.getJobCount_args::new, PinLater.getJobCount_result::new,
        a -> rpc.getJobCount(a.context, a.request));
    add("getQueueNames", PinLater.getQueueNames_args::new, PinLater.getQueueNames_result::new,
        a -> rpc.getQueueNames(a.context));
    add("scanJobs", PinLater.scanJobs_args::new, PinLater.scanJobs_result::new,
        a -> rpc.scanJobs(a.context, a.request));
    add("retryFailedJobs", PinLater.retryFailedJobs_args::new, PinLater.retryFailedJobs_result::new,
        a -> rpc.retryFailedJobs(a.context, a.request));
    add("deleteJobs", PinLater.deleteJobs_args::new, PinLater.deleteJobs_result::new,
        a -> rpc.deleteJobs(a.context, a.request));
    add("createSchedule", PinLater.createSchedule_args::new, PinLater.createSchedule_result::new,
        a -> rpc.createSchedule(a.context, a.request));
    add("listSchedules", PinLater.listSchedules_args::new, PinLater.listSchedules_result::new,
        a -> rpc.listSchedules(a.context, a.request));
    add("deleteSchedule", PinLater.deleteSchedule_args::new, PinLater.deleteSchedule_result::new,
        a -> rpc.deleteSchedule(a.context, a.request));
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private <A extends TBase<?, ?>> void add(String name, Supplier<A> args, Supplier<? extends TBase> result,
      java.util.function.Function<A, Future<?>> call) {
    methods.put(name, new Method<>(args, (Supplier<TBase<?, ?>>) result, call));
  }

  @Override
  public Future<byte[]> apply(byte[] request) {
    TMessage message;
    TProtocol in;
    try {
      in = protocol.reading(request);
      message = in.readMessageBegin();
    } catch (TException | RuntimeException e) {
      return malformed(new TMessage("", TMessageType.EXCEPTION, 0), e);
    }
    try {
      if (message.type != TMessageType.CALL && message.type != TMessageType.ONEWAY) {
        throw new TProtocolException(TProtocolException.INVALID_DATA, "message type " + message.type
            + " is not a call");
      }
      Method<?> method = methods.get(message.name);
      if (method == null) {
        TProtocolUtil.skip(in, TType.STRUCT);
        return Future.value(exception(message, new TApplicationException(
            TApplicationException.UNKNOWN_METHOD, "unknown method '" + message.name + "'")));
      }
      return call(message, in, method);
    } catch (TException | RuntimeException e) {
      return malformed(message, e);
    }
  }

  private <A extends TBase<?, ?>> Future<byte[]> call(TMessage message, TProtocol in, Method<A> method)
      throws TException {
    A args = method.args().get();
    try {
      args.read(in);
      in.readMessageEnd();
    } catch (TProtocolException e) {
      String field = requiredFieldMissing(e);
      if (field != null) {
        return Future.value(failure(message, method, new PinLaterException(ErrorCode.CONTINUATION_INVALID,
            "malformed " + message.name + " request: " + field)));
      }
      throw e;
    }
    String absent = absentStruct(args);
    if (absent != null) {
      return Future.value(failure(message, method,
          new PinLaterException(ErrorCode.CONTINUATION_INVALID, absent + " is required")));
    }
    Future<?> answer;
    try {
      answer = method.call().apply(args);
    } catch (RuntimeException e) {
      answer = Future.exception(e);
    }
    return answer.map(Function.func(value -> reply(message, method, value)))
        .handle(Function.func(t -> t instanceof PinLaterException e
            ? failure(message, method, e)
            : exception(message, new TApplicationException(TApplicationException.INTERNAL_ERROR,
                message.name + " failed: " + t))));
  }

  /**
   * What the generated reader's "Required field 'x' was not present! Struct: Y(...)" means, in
   * the API's words: the field is absent, or (for an enum, which the reader turns into null when
   * the IDL does not define the value) holds an unknown value. Null for any other error.
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  static String requiredFieldMissing(TProtocolException e) {
    Matcher field = e.getMessage() == null ? null : REQUIRED_FIELD.matcher(e.getMessage());
    if (field == null || !field.find()) {
      return null;
    }
    String name = field.group(1);
    Matcher struct = STRUCT.matcher(e.getMessage());
    if (struct.find()) {
      try {
        Class<?> type = Class.forName(PinLater.class.getPackageName() + "." + struct.group(1));
        Map<?, FieldMetaData> fields = FieldMetaData.getStructMetaDataMap((Class) type.asSubclass(TBase.class));
        for (FieldMetaData f : fields.values()) {
          if (f.fieldName.equals(name) && f.valueMetaData instanceof EnumMetaData enumType) {
            return name + " is absent or not a " + enumType.enumClass.getSimpleName() + " value";
          }
        }
      } catch (ClassNotFoundException | ClassCastException notOurs) {
        // fall through to the plain wording
      }
    }
    return name + " is required";
  }

  /** The first struct argument the caller left out (the request, usually), or null. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private static String absentStruct(TBase args) {
    Map<? extends TFieldIdEnum, FieldMetaData> fields = FieldMetaData.getStructMetaDataMap(args.getClass());
    for (Map.Entry<? extends TFieldIdEnum, FieldMetaData> f : fields.entrySet()) {
      if (f.getValue().valueMetaData.type == TType.STRUCT && !args.isSet(f.getKey())) {
        return f.getKey().getFieldName();
      }
    }
    return null;
  }

  private Future<byte[]> malformed(TMessage message, Exception e) {
    malformed.report((message.name.isEmpty() ? "" : message.name + ": ") + e);
    return Future.value(exception(message, new TApplicationException(TApplicationException.PROTOCOL_ERROR,
        "malformed request: " + e.getMessage())));
  }

  /** The method's result struct with its success field (id 0; none for void) set to {@code value}. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private byte[] reply(TMessage message, Method<?> method, Object value) {
    TBase result = method.result().get();
    TFieldIdEnum success = result.fieldForId(0);
    if (success != null) {
      result.setFieldValue(success, value);
    }
    return write(message, result);
  }

  /** The method's result struct with its exception field (id 1 in every method) set. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private byte[] failure(TMessage message, Method<?> method, PinLaterException e) {
    TBase result = method.result().get();
    result.setFieldValue(result.fieldForId(1), e);
    return write(message, result);
  }

  private byte[] write(TMessage message, TBase<?, ?> result) {
    try {
      TMemoryBuffer buffer = new TMemoryBuffer(256);
      TProtocol out = protocol.getProtocol(buffer);
      out.writeMessageBegin(new TMessage(message.name, TMessageType.REPLY, message.seqid));
      result.write(out);
      out.writeMessageEnd();
      return Arrays.copyOf(buffer.getArray(), buffer.length());
    } catch (TException e) {
      // e.g. a response missing a required field: a server bug, not the caller's.
      return exception(message, new TApplicationException(TApplicationException.INTERNAL_ERROR,
          message.name + ": cannot write the reply: " + e.getMessage()));
    }
  }

  private byte[] exception(TMessage message, TApplicationException e) {
    try {
      TMemoryBuffer buffer = new TMemoryBuffer(128);
      TProtocol out = protocol.getProtocol(buffer);
      out.writeMessageBegin(new TMessage(message.name, TMessageType.EXCEPTION, message.seqid));
      e.write(out);
      out.writeMessageEnd();
      return Arrays.copyOf(buffer.getArray(), buffer.length());
    } catch (TException impossible) {
      throw new IllegalStateException(impossible);
    }
  }
}
