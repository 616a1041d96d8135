package io.hourglass.server.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads and validates a shard-config file as a whole (see shard-config/README.md). Any problem
 * is a {@link ConfigException} naming the file and the key; nothing half-valid is returned.
 */
public final class ShardConfigLoader {
  static final String DEFAULT_DATABASE = "hourglass";
  static final String DEFAULT_USER = "root";
  private static final Set<String> TOP_KEYS = Set.of("shards", "removeAllowed");
  private static final Set<String> SHARD_KEYS =
      Set.of("id", "host", "port", "user", "password", "passwordEnv", "database", "dequeueOnly");
  private static final Pattern DATABASE = Pattern.compile("[A-Za-z0-9_]{1,64}");
  // A key given twice in one shard entry is an editing mistake, not "the last one wins".
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  private ShardConfigLoader() {}

  public static ShardConfig load(Path file) {
    JsonNode root;
    try {
      root = JSON.readTree(Files.readString(file));
    } catch (IOException e) {
      throw new ConfigException(file + ": cannot read shard config: " + e.getMessage(), e);
    }
    return parse(file.toString(), root);
  }

  /** Validates {@code json}, the content of {@code file} (named in every error). */
  public static ShardConfig parse(Path file, String json) {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (IOException e) {
      throw new ConfigException(file + ": not valid JSON: " + e.getMessage(), e);
    }
    return parse(file.toString(), root);
  }

  static ShardConfig parse(String file, JsonNode root) {
    if (root == null || !root.isObject()) {
      throw new ConfigException(file + ": must be a JSON object with a 'shards' list");
    }
    rejectUnknown(file, "", root, TOP_KEYS);
    JsonNode list = root.get("shards");
    if (list == null || !list.isArray() || list.isEmpty()) {
      throw new ConfigException(file + ": 'shards' must be a non-empty list");
    }
    List<ShardSpec> shards = new ArrayList<>();
    Set<Integer> ids = new HashSet<>();
    for (int i = 0; i < list.size(); i++) {
      ShardSpec s = shard(file, "shards[" + i + "]", list.get(i));
      if (!ids.add(s.id())) {
        throw new ConfigException(file + ": shards[" + i + "].id: shard id " + s.id() + " appears twice");
      }
      shards.add(s);
    }
    if (shards.stream().allMatch(ShardSpec::dequeueOnly)) {
      throw new ConfigException(file + ": every shard is dequeueOnly; at least one must accept enqueues");
    }
    return new ShardConfig(shards, removeAllowed(file, root.get("removeAllowed"), ids));
  }

  /** {@code removeAllowed}: shard ids, none of them still listed in {@code shards}. */
  private static Set<Integer> removeAllowed(String file, JsonNode list, Set<Integer> listed) {
    if (list == null) {
      return Set.of();
    }
    if (!list.isArray()) {
      throw new ConfigException(file + ": removeAllowed must be a list of shard ids, e.g. [3]");
    }
    Set<Integer> out = new HashSet<>();
    for (int i = 0; i < list.size(); i++) {
      int id = requiredInt(file, "removeAllowed[" + i + "]", list.get(i), 0, 999_999_999);
      if (listed.contains(id)) {
        throw new ConfigException(file + ": removeAllowed[" + i + "]: shard " + id
            + " is still listed in shards; remove its entry there, or drop it from removeAllowed");
      }
      out.add(id);
    }
    return out;
  }

  private static ShardSpec shard(String file, String at, JsonNode n) {
    if (n == null || !n.isObject()) {
      throw new ConfigException(file + ": " + at + " must be an object");
    }
    rejectUnknown(file, at + ".", n, SHARD_KEYS);
    int id = requiredInt(file, at + ".id", n.get("id"), 0, 999_999_999);
    String host = requiredText(file, at + ".host", n.get("host"));
    int port = requiredInt(file, at + ".port", n.get("port"), 1, 65535);
    String user = n.has("user") ? requiredText(file, at + ".user", n.get("user")) : DEFAULT_USER;
    String password = n.has("password") ? text(file, at + ".password", n.get("password")) : "";
    if (n.has("passwordEnv")) {
      String var = requiredText(file, at + ".passwordEnv", n.get("passwordEnv"));
      password = System.getenv(var);
      if (password == null) {
        throw new ConfigException(file + ": " + at + ".passwordEnv: environment variable " + var + " is not set");
      }
    }
    String database = n.has("database") ? requiredText(file, at + ".database", n.get("database")) : DEFAULT_DATABASE;
    if (!DATABASE.matcher(database).matches()) {
      throw new ConfigException(file + ": " + at + ".database: '" + database
          + "' must be 1-64 letters, digits or underscores");
    }
    boolean dequeueOnly = false;
    if (n.has("dequeueOnly")) {
      if (!n.get("dequeueOnly").isBoolean()) {
        throw new ConfigException(file + ": " + at + ".dequeueOnly must be true or false");
      }
      dequeueOnly = n.get("dequeueOnly").asBoolean();
    }
    return new ShardSpec(id, host, port, user, password, database, dequeueOnly);
  }

  private static void rejectUnknown(String file, String at, JsonNode n, Set<String> known) {
    for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (!known.contains(key)) {
        throw new ConfigException(file + ": " + at + key + ": unknown key (known: " + new java.util.TreeSet<>(known) + ")");
      }
    }
  }

  private static int requiredInt(String file, String key, JsonNode v, int min, int max) {
    if (v == null || !v.isIntegralNumber() || v.asLong() < min || v.asLong() > max) {
      throw new ConfigException(file + ": " + key + " is required and must be an integer in " + min + ".." + max);
    }
    return v.asInt();
  }

  private static String requiredText(String file, String key, JsonNode v) {
    if (v == null) {
      throw new ConfigException(file + ": " + key + " is required");
    }
    String s = text(file, key, v);
    if (s.isBlank()) {
      throw new ConfigException(file + ": " + key + " must not be empty");
    }
    return s;
  }

  private static String text(String file, String key, JsonNode v) {
    if (v == null || !v.isTextual()) {
      throw new ConfigException(file + ": " + key + " must be a string");
    }
    return v.asText();
  }
}
