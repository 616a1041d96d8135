package io.hourglass.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class QueueConfigLoaderTest {
  static final Path FILE = Path.of("queues.json");
  static final QueueSettings DEFAULTS = new QueueSettings(null, Duration.ofMinutes(10), Duration.ofDays(7));

  private static String rejected(String json) {
    return assertThrows(ConfigException.class, () -> QueueConfigLoader.parse(FILE, json, DEFAULTS)).getMessage();
  }

  @Test
  void listedQueuesOverrideTheDefaultsKeyByKey() {
    QueueConfig c = QueueConfigLoader.parse(FILE, """
        {"queues": {"emails": {"dequeueRateLimit": 2.5, "claimTimeoutMillis": 60000},
                    "reports": {"dequeueRateLimit": 0, "retentionMillis": 0}}}
        """, DEFAULTS);
    assertEquals(new QueueSettings(2.5, Duration.ofMinutes(1), Duration.ofDays(7)), c.forQueue("emails"));
    assertEquals(new QueueSettings(0.0, Duration.ofMinutes(10), Duration.ZERO), c.forQueue("reports"));
    assertEquals(DEFAULTS, c.forQueue("other"));
    assertNull(c.forQueue("other").dequeueRateLimit(), "no limit unless configured");
  }

  @Test
  void mistakesAreRefusedNamingTheFileAndKey() {
    assertTrue(rejected("{\"queues\": {\"a\": {\"dequeueRateLimit\": -1}}}").startsWith(FILE + ": queues.a.dequeueRateLimit"));
    assertTrue(rejected("{\"queues\": {\"a\": {\"claimTimeoutMillis\": 10}}}").contains("queues.a.claimTimeoutMillis"));
    assertTrue(rejected("{\"queues\": {\"a\": {\"ratelimit\": 1}}}").contains("queues.a.ratelimit: unknown key"));
    assertTrue(rejected("{\"queues\": {\"no-dash\": {}}}").contains("queues.no-dash"));
    assertTrue(rejected("{\"queue\": {}}").contains("queue: unknown key"));
    assertTrue(rejected("[]").contains("must be a JSON object"));
    assertTrue(rejected("{\"queues\": {\"a\": {}, \"a\": {}}}").contains("not valid JSON"));
  }

  @Test
  void theExampleFileInShardConfigIsValid() throws Exception {
    Path example = io.hourglass.testing.Repo.root().resolve("shard-config/queues.example.json");
    QueueConfig c = QueueConfigLoader.parse(example, java.nio.file.Files.readString(example), DEFAULTS);
    assertEquals(0.0, c.forQueue("reports").dequeueRateLimit());
  }
}
