package io.hourglass.server.queue;

/**
 * An expected failure inside the server. The Thrift edge translates {@link Kind} to the wire
 * {@code ErrorCode} in exactly one place; nothing else knows about Thrift error codes.
 */
public final class QueueException extends RuntimeException {

  /** What went wrong, one value per wire error code that the server produces. */
  public enum Kind {
    BAD_ARGUMENT,
    PASSWORD_INVALID,
    QUEUE_NAME_INVALID,
    QUEUE_NAME_TOO_LONG,
    QUEUE_NOT_FOUND,
    PRIORITY_NOT_SUPPORTED,
    DEQUEUE_RATE_LIMITED,
    ENQUEUE_REJECTED,
    NO_HEALTHY_SHARDS,
    SHARD_CONNECTION_FAILED,
    INTERNAL
  }

  private final Kind kind;
  private boolean mayHaveRun;

  public QueueException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  public QueueException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }

  /**
   * The shard's connection broke after the statement was handed to it: the write may have been
   * committed there (a shard killed right after its commit never sends the answer). Running it
   * on another shard could store it twice.
   */
  public boolean mayHaveRun() {
    return mayHaveRun;
  }

  public QueueException markMayHaveRun() {
    mayHaveRun = true;
    return this;
  }

  public static QueueException badArgument(String field, String problem) {
    return new QueueException(Kind.BAD_ARGUMENT, field + ": " + problem);
  }
}
