package io.hourglass.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Writes shard-config files the way ops edit them, and reads the server's {@code GET /shards}. */
public final class ShardFile {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ShardFile() {}

  /** One {@code shards[]} entry. */
  public record Entry(int id, String host, int port, String database, boolean dequeueOnly) {
    public static Entry of(int id, int port, String database) {
      return new Entry(id, "127.0.0.1", port, database, false);
    }

    public Entry draining() {
      return new Entry(id, host, port, database, true);
    }

    public Entry withHost(String newHost) {
      return new Entry(id, newHost, port, database, dequeueOnly);
    }

    String json() {
      return String.format("{\"id\": %d, \"host\": \"%s\", \"port\": %d, \"user\": \"root\", \"password\": \"\", "
          + "\"database\": \"%s\"%s}", id, host, port, database, dequeueOnly ? ", \"dequeueOnly\": true" : "");
    }
  }

  public static String json(List<Entry> entries, List<Integer> removeAllowed) {
    List<String> items = new ArrayList<>();
    entries.forEach(e -> items.add("    " + e.json()));
    return "{\n  \"shards\": [\n" + String.join(",\n", items) + "\n  ]"
        + (removeAllowed.isEmpty() ? "" : ",\n  \"removeAllowed\": " + removeAllowed)
        + "\n}\n";
  }

  /** Replaces the file's content atomically (write aside, rename), as careful tools do. */
  public static void write(Path file, String content) {
    try {
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.writeString(tmp, content);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static Path newFile(String content) {
    try {
      Path file = Files.createTempFile("shards-", ".json");
      Files.writeString(file, content);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The server's {@code GET /shards}, by shard id. */
  public static Map<Integer, JsonNode> shards(TestServer server) {
    TestServer.HttpAnswer a = server.adminGet("/shards");
    if (a.status() != 200) {
      throw new IllegalStateException("GET /shards answered " + a.status() + ": " + a.body());
    }
    try {
      Map<Integer, JsonNode> out = new TreeMap<>();
      for (JsonNode n : JSON.readTree(a.body()).get("shards")) {
        out.put(n.get("id").asInt(), n);
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
