package io.hourglass.server.config;

import java.util.Map;

/**
 * The validated queue-config file: settings per queue name, plus the server defaults for
 * queues it does not list (and for what a listed queue leaves out).
 */
public record QueueConfig(Map<String, QueueSettings> queues, QueueSettings defaults) {
  public QueueConfig {
    queues = Map.copyOf(queues);
  }

  /** Only the defaults: what a server without a queue-config file uses. */
  public static QueueConfig defaultsOnly(ServerConfig.MaintenanceSettings m) {
    return new QueueConfig(Map.of(), new QueueSettings(null, m.claimTimeout(), m.retention()));
  }

  public QueueSettings forQueue(String queue) {
    return queues.getOrDefault(queue, defaults);
  }
}
