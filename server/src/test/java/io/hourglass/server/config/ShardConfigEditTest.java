package io.hourglass.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What a shard-config edit may say about removing shards, and the mistakes it is refused for. */
class ShardConfigEditTest {
  static final Path FILE = Path.of("shard-config/edited.json");
  static final String ONE = "{\"id\": 1, \"host\": \"h1\", \"port\": 3307}";

  private static String rejected(String json) {
    return assertThrows(ConfigException.class, () -> ShardConfigLoader.parse(FILE, json)).getMessage();
  }

  @Test
  void removeAllowedListsShardIdsThatMayLeaveWithUnfinishedJobs() {
    ShardConfig c = ShardConfigLoader.parse(FILE, "{\"shards\": [" + ONE + "], \"removeAllowed\": [2, 3]}");
    assertEquals(Set.of(2, 3), c.removeAllowed());
    assertEquals(Set.of(), ShardConfigLoader.parse(FILE, "{\"shards\": [" + ONE + "]}").removeAllowed());
  }

  @Test
  void removeAllowedNamingAListedShardIsRefused() {
    String m = rejected("{\"shards\": [" + ONE + "], \"removeAllowed\": [1]}");
    assertTrue(m.startsWith(FILE + ": removeAllowed[0]: shard 1 is still listed"), m);
  }

  @Test
  void removeAllowedMustBeAListOfIds() {
    assertTrue(rejected("{\"shards\": [" + ONE + "], \"removeAllowed\": 2}").contains("removeAllowed must be a list"));
    assertTrue(rejected("{\"shards\": [" + ONE + "], \"removeAllowed\": [\"2\"]}").contains("removeAllowed[0]"));
  }

  @Test
  void aKeyGivenTwiceIsRefusedNotSilentlyOverridden() {
    String m = rejected("{\"shards\": [{\"id\": 1, \"host\": \"h1\", \"port\": 3307, \"dequeueOnly\": true, "
        + "\"dequeueOnly\": false}]}");
    assertTrue(m.contains("dequeueOnly"), m);
  }

  @Test
  void aMissingHostIsNamedAsRequired() {
    assertTrue(rejected("{\"shards\": [{\"id\": 1, \"port\": 3307}]}").contains("shards[0].host is required"));
  }
}
