package io.hourglass.server.queue;

import java.util.regex.Pattern;

/**
 * A validated queue name. The only way a queue name reaches SQL is as part of a table name, so
 * this pattern is the whole defence against injection: letters, digits and underscore, at most
 * {@value #MAX_LENGTH} characters (the table name adds a 2-character prefix and MySQL allows 64).
 */
public record QueueName(String value) {
  public static final int MAX_LENGTH = 60;
  private static final Pattern VALID = Pattern.compile("[A-Za-z0-9_]+");

  public QueueName {
    if (value == null || value.isEmpty()) {
      throw new QueueException(QueueException.Kind.QUEUE_NAME_INVALID, "queueName: must not be empty");
    }
    if (value.length() > MAX_LENGTH) {
      throw new QueueException(
          QueueException.Kind.QUEUE_NAME_TOO_LONG,
          "queueName: '" + abbreviate(value) + "' is " + value.length() + " characters long; at most "
              + MAX_LENGTH + " are allowed");
    }
    if (!VALID.matcher(value).matches()) {
      throw new QueueException(
          QueueException.Kind.QUEUE_NAME_INVALID,
          "queueName: '" + abbreviate(value) + "' may only contain letters, digits and underscores");
    }
  }

  public static QueueName of(String value) {
    return new QueueName(value);
  }

  private static String abbreviate(String s) {
    return s.length() <= 80 ? s : s.substring(0, 80) + "...";
  }

  @Override
  public String toString() {
    return value;
  }
}
