package io.hourglass.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hourglass.server.queue.RetryPolicy;
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
  void aQueueMayHaveAnExponentialOrAFixedRetryPolicy() {
    QueueConfig c = QueueConfigLoader.parse(FILE, """
        {"queues": {"emails": {"retry": {"policy": "exponential", "baseMillis": 1000, "maxMillis": 3600000, "jitter": 0.1}},
                    "plain": {"retry": {"policy": "exponential", "baseMillis": 500, "maxMillis": 500}},
                    "reports": {"retry": {"policy": "fixed", "delayMillis": 30000}}}}
        """, DEFAULTS);
    assertEquals(RetryPolicy.exponential(1000, 3_600_000, 0.1), c.forQueue("emails").retry());
    assertEquals(QueueConfigLoader.DEFAULT_JITTER, c.forQueue("plain").retry().jitter());
    assertEquals(RetryPolicy.fixed(30_000), c.forQueue("reports").retry());
    assertNull(c.forQueue("other").retry(), "no policy unless configured: acks keep their delay");
  }

  @Test
  void badRetryPoliciesAreRefusedNamingTheKey() {
    assertTrue(rejected("{\"queues\": {\"a\": {\"retry\": {\"policy\": \"linear\"}}}}")
        .contains("queues.a.retry.policy: 'linear' is not a retry policy"));
    assertTrue(rejected("{\"queues\": {\"a\": {\"retry\": {\"policy\": \"exponential\", \"baseMillis\": 1000}}}}")
        .contains("queues.a.retry.maxMillis is required"));
    assertTrue(rejected("{\"queues\": {\"a\": {\"retry\": {\"policy\": \"exponential\", \"baseMillis\": 1000, "
        + "\"maxMillis\": 10}}}}").contains("queues.a.retry.maxMillis must be whole milliseconds in 1000.."));
    assertTrue(rejected("{\"queues\": {\"a\": {\"retry\": {\"policy\": \"exponential\", \"baseMillis\": 1, "
        + "\"maxMillis\": 10, \"jitter\": 2}}}}").contains("queues.a.retry.jitter"));
    assertTrue(rejected("{\"queues\": {\"a\": {\"retry\": {\"policy\": \"fixed\", \"baseMillis\": 1}}}}")
        .contains("queues.a.retry.baseMillis: unknown key"));
    assertTrue(rejected("{\"queues\": {\"a\": {\"retry\": 5}}}").contains("queues.a.retry must be an object"));
  }

  @Test
  void theExampleFileInShardConfigIsValid() throws Exception {
    Path example = io.hourglass.testing.Repo.root().resolve("shard-config/queues.example.json");
    QueueConfig c = QueueConfigLoader.parse(example, java.nio.file.Files.readString(example), DEFAULTS);
    assertEquals(0.0, c.forQueue("reports").dequeueRateLimit());
  }
}
