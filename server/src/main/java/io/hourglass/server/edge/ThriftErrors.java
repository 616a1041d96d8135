package io.hourglass.server.edge;

import io.hourglass.server.queue.QueueException;
import io.hourglass.thrift.ErrorCode;
import io.hourglass.thrift.PinLaterException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The one place where internal failures become wire {@link ErrorCode}s. */
final class ThriftErrors {
  private static final Logger LOG = LoggerFactory.getLogger(ThriftErrors.class);

  private ThriftErrors() {}

  static ErrorCode code(QueueException.Kind kind) {
    return switch (kind) {
      case BAD_ARGUMENT -> ErrorCode.CONTINUATION_INVALID;
      case PASSWORD_INVALID -> ErrorCode.PASSWORD_INVALID;
      case QUEUE_NAME_INVALID -> ErrorCode.QUEUE_NAME_INVALID;
      case QUEUE_NAME_TOO_LONG -> ErrorCode.QUEUE_NAME_TOO_LONG;
      case QUEUE_NOT_FOUND -> ErrorCode.QUEUE_NOT_FOUND;
      case PRIORITY_NOT_SUPPORTED -> ErrorCode.PRIORITY_NOT_SUPPORTED;
      case DEQUEUE_RATE_LIMITED -> ErrorCode.DEQUEUE_RATE_LIMITED;
      case ENQUEUE_REJECTED -> ErrorCode.ENQUEUE_REJECTED;
      case NO_HEALTHY_SHARDS -> ErrorCode.NO_HEALTHY_SHARDS;
      case SHARD_CONNECTION_FAILED -> ErrorCode.SHARD_CONNECTION_FAILED;
      case INTERNAL -> ErrorCode.UNKNOWN;
    };
  }

  /** Every throwable that leaves a handler passes through here. */
  static PinLaterException translate(String rpc, Throwable t) {
    if (t instanceof PinLaterException e) {
      return e;
    }
    if (t instanceof QueueException e) {
      if (e.kind() == QueueException.Kind.INTERNAL || e.kind().name().startsWith("SHARD")) {
        LOG.warn("{} failed: {}", rpc, e.getMessage(), e.getCause());
      }
      return new PinLaterException(code(e.kind()), e.getMessage());
    }
    LOG.error("{} failed unexpectedly", rpc, t);
    return new PinLaterException(ErrorCode.UNKNOWN, rpc + " failed: " + t);
  }
}
