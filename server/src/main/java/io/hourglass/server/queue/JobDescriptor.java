package io.hourglass.server.queue;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The public id of a job: {@code <queue>:s<shardId>:p<priority>:<localId>}, as in PinLater. This is
 * the only place that formats or parses one.
 */
public record JobDescriptor(QueueName queue, int shardId, int priority, long localId) {
  private static final Pattern FORMAT = Pattern.compile("([^:]+):s(\\d{1,9}):p(\\d{1,3}):(\\d{1,19})");

  /**
   * Parses a descriptor, naming {@code field} in the error when it is malformed.
   *
   * @throws QueueException BAD_ARGUMENT when malformed, or the queue-name kinds for a bad name
   */
  public static JobDescriptor parse(String text, String field) {
    if (text == null) {
      throw QueueException.badArgument(field, "job descriptor is missing");
    }
    Matcher m = FORMAT.matcher(text);
    if (!m.matches()) {
      throw QueueException.badArgument(
          field, "'" + text + "' is not a job descriptor (expected <queue>:s<shard>:p<priority>:<id>)");
    }
    try {
      return new JobDescriptor(
          QueueName.of(m.group(1)),
          Integer.parseInt(m.group(2)),
          Integer.parseInt(m.group(3)),
          Long.parseLong(m.group(4)));
    } catch (NumberFormatException e) {
      throw QueueException.badArgument(field, "'" + text + "' has a number out of range");
    }
  }

  @Override
  public String toString() {
    return queue.value() + ":s" + shardId + ":p" + priority + ":" + localId;
  }
}
