package io.hourglass.server.metrics;

import io.hourglass.server.config.ConfigFileWatcher;
import io.micrometer.core.instrument.Counter;
import java.time.Clock;

/**
 * Reloads of one config file: counted ({@code hourglass_config_reloads_accepted_total{file}} and
 * {@code …_rejected_total}) and the last of each remembered, with its message, for the dashboard.
 */
public final class ConfigReloads implements ConfigFileWatcher.ReloadListener {
  /** A reload seen at {@code atMillis}; {@code message} is null for an accepted one. */
  public record Event(long atMillis, String message) {}

  private final String file;
  private final Clock clock;
  private final Counter accepted;
  private final Counter rejected;
  private volatile Event lastAccepted;
  private volatile Event lastRejected;

  public ConfigReloads(String file, ServerMetrics metrics, Clock clock) {
    this.file = file;
    this.clock = clock;
    this.accepted = metrics.configReloads(file, true);
    this.rejected = metrics.configReloads(file, false);
  }

  public String file() {
    return file;
  }

  @Override
  public void accepted() {
    accepted.increment();
    lastAccepted = new Event(clock.millis(), null);
  }

  @Override
  public void rejected(String message) {
    rejected.increment();
    lastRejected = new Event(clock.millis(), message);
  }

  /** Null until one happened. */
  public Event lastAccepted() {
    return lastAccepted;
  }

  public Event lastRejected() {
    return lastRejected;
  }
}
