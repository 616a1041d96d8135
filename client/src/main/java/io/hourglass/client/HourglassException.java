package io.hourglass.client;

import io.hourglass.thrift.ErrorCode;
import java.util.Optional;

/**
 * An RPC failed. Either the server answered with a PinLaterException ({@link #errorCode()} is
 * present), or the call did not complete: connection refused, timeout, server error without a
 * code ({@link #errorCode()} is empty).
 */
public final class HourglassException extends RuntimeException {
  private final String rpc;
  private final ErrorCode errorCode;

  public HourglassException(String rpc, ErrorCode errorCode, String message, Throwable cause) {
    super(rpc + ": " + (errorCode == null ? "" : errorCode + ": ") + message, cause);
    this.rpc = rpc;
    this.errorCode = errorCode;
  }

  public String rpc() {
    return rpc;
  }

  public Optional<ErrorCode> errorCode() {
    return Optional.ofNullable(errorCode);
  }

  /**
   * True when sending the same request again may succeed: the call did not complete, a shard or
   * the server failed (5xx), or the server refused for now (rate limit, admission control).
   * False for the other 4xx codes: the request itself is wrong.
   */
  public boolean isTransient() {
    if (errorCode == null) {
      return true;
    }
    return errorCode.getValue() >= 500
        || errorCode == ErrorCode.DEQUEUE_RATE_LIMITED
        || errorCode == ErrorCode.ENQUEUE_REJECTED;
  }
}
