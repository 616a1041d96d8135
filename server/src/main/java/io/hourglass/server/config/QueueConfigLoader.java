package io.hourglass.server.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hourglass.server.queue.QueueException;
import io.hourglass.server.queue.QueueName;
import io.hourglass.server.queue.RetryPolicy;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads and validates a queue-config file (server key {@code queueConfig}) as a whole; any
 * problem is a {@link ConfigException} naming the file and the key. Format:
 *
 * <pre>{"queues": {"emails": {"dequeueRateLimit": 50, "claimTimeoutMillis": 120000, "retentionMillis": 86400000,
 *     "retry": {"policy": "exponential", "baseMillis": 1000, "maxMillis": 3600000, "jitter": 0.2}}}}</pre>
 *
 * <p>{@code retry} is {@code {"policy": "exponential", "baseMillis": …, "maxMillis": …, "jitter": …}}
 * (jitter optional, default {@value #DEFAULT_JITTER}) or {@code {"policy": "fixed", "delayMillis": …}}.
 */
public final class QueueConfigLoader {
  private static final Set<String> TOP_KEYS = Set.of("queues");
  private static final Set<String> QUEUE_KEYS =
      Set.of("dequeueRateLimit", "claimTimeoutMillis", "retentionMillis", "retry");
  private static final Set<String> EXPONENTIAL_KEYS = Set.of("policy", "baseMillis", "maxMillis", "jitter");
  private static final Set<String> FIXED_KEYS = Set.of("policy", "delayMillis");
  public static final double DEFAULT_JITTER = 0.2;
  private static final long MAX_MILLIS = 3650L * 24 * 3600 * 1000;
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  private QueueConfigLoader() {}

  public static QueueConfig parse(Path file, String json, QueueSettings defaults) {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (IOException e) {
      throw new ConfigException(file + ": not valid JSON: " + e.getMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new ConfigException(file + ": must be a JSON object with a 'queues' object");
    }
    rejectUnknown(file, "", root, TOP_KEYS);
    JsonNode queues = root.get("queues");
    if (queues == null || !queues.isObject()) {
      throw new ConfigException(file + ": 'queues' is required and must be an object of queue name → settings");
    }
    Map<String, QueueSettings> out = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = queues.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String at = "queues." + e.getKey();
      try {
        QueueName.of(e.getKey());
      } catch (QueueException bad) {
        throw new ConfigException(file + ": " + at + ": " + bad.getMessage());
      }
      out.put(e.getKey(), queue(file, at, e.getValue(), defaults));
    }
    return new QueueConfig(out, defaults);
  }

  private static QueueSettings queue(Path file, String at, JsonNode n, QueueSettings defaults) {
    if (!n.isObject()) {
      throw new ConfigException(file + ": " + at + " must be an object");
    }
    rejectUnknown(file, at + ".", n, QUEUE_KEYS);
    Double rate = null;
    JsonNode r = n.get("dequeueRateLimit");
    if (r != null && !r.isNull()) {
      if (!r.isNumber() || r.asDouble() < 0 || r.asDouble() > 1e9) {
        throw new ConfigException(file + ": " + at + ".dequeueRateLimit must be a number of jobs per second "
            + "from 0 (paused) to 1e9; leave it out for no limit");
      }
      rate = r.asDouble();
    }
    return new QueueSettings(rate,
        millis(file, at + ".claimTimeoutMillis", n.get("claimTimeoutMillis"), 1000, defaults.claimTimeout()),
        millis(file, at + ".retentionMillis", n.get("retentionMillis"), 0, defaults.retention()),
        retry(file, at + ".retry", n.get("retry"), defaults.retry()));
  }

  private static RetryPolicy retry(Path file, String at, JsonNode n, RetryPolicy absent) {
    if (n == null) {
      return absent;
    }
    if (!n.isObject() || !n.path("policy").isTextual()) {
      throw new ConfigException(file + ": " + at + " must be an object with \"policy\": \"exponential\" or \"fixed\"");
    }
    String policy = n.get("policy").asText();
    switch (policy) {
      case "exponential" -> {
        rejectUnknown(file, at + ".", n, EXPONENTIAL_KEYS);
        Duration base = required(file, at + ".baseMillis", n.get("baseMillis"), 0);
        Duration max = required(file, at + ".maxMillis", n.get("maxMillis"), base.toMillis());
        JsonNode j = n.get("jitter");
        if (j != null && (!j.isNumber() || j.asDouble() < 0 || j.asDouble() > 1)) {
          throw new ConfigException(file + ": " + at + ".jitter must be a fraction from 0 to 1 (0.2: ±20%)");
        }
        return RetryPolicy.exponential(base.toMillis(), max.toMillis(), j == null ? DEFAULT_JITTER : j.asDouble());
      }
      case "fixed" -> {
        rejectUnknown(file, at + ".", n, FIXED_KEYS);
        return RetryPolicy.fixed(required(file, at + ".delayMillis", n.get("delayMillis"), 0).toMillis());
      }
      default -> throw new ConfigException(file + ": " + at + ".policy: '" + policy
          + "' is not a retry policy (exponential, fixed)");
    }
  }

  private static Duration required(Path file, String key, JsonNode v, long min) {
    if (v == null) {
      throw new ConfigException(file + ": " + key + " is required");
    }
    return millis(file, key, v, min, null);
  }

  private static Duration millis(Path file, String key, JsonNode v, long min, Duration absent) {
    if (v == null) {
      return absent;
    }
    if (!v.isIntegralNumber() || v.asLong() < min || v.asLong() > MAX_MILLIS) {
      throw new ConfigException(file + ": " + key + " must be whole milliseconds in " + min + ".." + MAX_MILLIS);
    }
    return Duration.ofMillis(v.asLong());
  }

  private static void rejectUnknown(Path file, String at, JsonNode n, Set<String> known) {
    for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (!known.contains(key)) {
        throw new ConfigException(file + ": " + at + key + ": unknown key (known: " + new TreeSet<>(known) + ")");
      }
    }
  }
}
