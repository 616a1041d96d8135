package io.hourglass.server.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hourglass.server.queue.QueueException;
import io.hourglass.server.queue.QueueName;
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
 * <pre>{"queues": {"emails": {"dequeueRateLimit": 50, "claimTimeoutMillis": 120000, "retentionMillis": 86400000}}}</pre>
 */
public final class QueueConfigLoader {
  private static final Set<String> TOP_KEYS = Set.of("queues");
  private static final Set<String> QUEUE_KEYS = Set.of("dequeueRateLimit", "claimTimeoutMillis", "retentionMillis");
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
        millis(file, at + ".retentionMillis", n.get("retentionMillis"), 0, defaults.retention()));
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
