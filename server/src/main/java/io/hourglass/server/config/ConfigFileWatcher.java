package io.hourglass.server.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hot reload of one config file: polls it and hands every changed content to an {@link Applier}
 * that validates it as a whole and applies it, or throws {@link ConfigException}.
 *
 * <p>How is this designed, and why? Polling (every {@code config.pollMillis}) instead of a
 * WatchService: it behaves the same on every file system, including bind mounts and the
 * symlink swaps config-management tools do, and a 2 s poll of a small file costs nothing. A
 * change is a new modification time or a new content hash; content equal to what is applied is
 * a no-op. A rejected edit is logged once (the message names the file and the key), reported to the
 * {@link ReloadListener}, and the previous config keeps serving. Saving the same content
 * again (a new modification time, e.g. {@code touch}) re-evaluates it: that is how a removal
 * refused because a shard still held jobs is retried once the shard has drained.
 */
public final class ConfigFileWatcher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ConfigFileWatcher.class);

  /** Validates and applies one content of the file; throws ConfigException to reject it. */
  @FunctionalInterface
  public interface Applier {
    void apply(String content);
  }

  /** Hears of each reload: counted in metrics, shown on the dashboard. */
  public interface ReloadListener {
    void accepted();

    void rejected(String message);

    ReloadListener NONE = new ReloadListener() {
      @Override
      public void accepted() {}

      @Override
      public void rejected(String message) {}
    };
  }

  private final String what;
  private final Path file;
  private final Duration pollInterval;
  private final Applier applier;
  private final ReloadListener listener;
  private ScheduledExecutorService poller;
  private String appliedHash;
  private String seenHash;
  private long seenModified = Long.MIN_VALUE;
  private boolean reportedMissing;

  /**
   * @param what a name for logs, e.g. "shard config"
   * @param listener told of every accepted and rejected reload (metrics, the dashboard)
   */
  public ConfigFileWatcher(String what, Path file, Duration pollInterval, Applier applier,
      ReloadListener listener) {
    this.what = what;
    this.file = file;
    this.pollInterval = pollInterval;
    this.applier = applier;
    this.listener = listener;
  }

  /** Reads and applies the file now; a problem is thrown (at start-up the server must not run). */
  public synchronized void loadInitial() {
    long modified = modifiedMillis();
    String content = read();
    applier.apply(content);
    appliedHash = seenHash = hash(content);
    seenModified = modified;
  }

  public synchronized void start() {
    if (poller == null) {
      poller = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "config-watch-" + file.getFileName());
        t.setDaemon(true);
        return t;
      });
      long every = pollInterval.toMillis();
      poller.scheduleWithFixedDelay(this::pollQuietly, every, every, TimeUnit.MILLISECONDS);
    }
  }

  private void pollQuietly() {
    try {
      checkNow();
    } catch (RuntimeException e) {
      LOG.error("{} {}: reload failed unexpectedly; still serving the previous config", what, file, e);
    }
  }

  /** One poll: applies the file if it changed. Returns true when a new config was applied. */
  public synchronized boolean checkNow() {
    long modified;
    String content;
    try {
      modified = Files.getLastModifiedTime(file).toMillis();
      content = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      if (!reportedMissing) {
        reportedMissing = true;
        listener.rejected("cannot read it: " + e);
        LOG.error("{} {}: cannot read it ({}); still serving the previous config", what, file, e.toString());
      }
      return false;
    }
    reportedMissing = false;
    String hash = hash(content);
    if (hash.equals(seenHash) && modified == seenModified) {
      return false;
    }
    seenHash = hash;
    seenModified = modified;
    if (hash.equals(appliedHash)) {
      return false;
    }
    try {
      applier.apply(content);
    } catch (ConfigException e) {
      if (changedSince(hash)) {
        // Read while an editor was still writing it: the next poll sees the finished file.
        seenHash = null;
        return false;
      }
      listener.rejected(e.getMessage());
      LOG.error("{} rejected, still serving the previous config: {}", what, e.getMessage());
      return false;
    }
    appliedHash = hash;
    listener.accepted();
    LOG.info("{} {}: new config applied", what, file);
    return true;
  }

  private boolean changedSince(String hash) {
    try {
      return !hash(Files.readString(file, StandardCharsets.UTF_8)).equals(hash);
    } catch (IOException e) {
      return true;
    }
  }

  private String read() {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ConfigException(file + ": cannot read " + what + ": " + e.getMessage(), e);
    }
  }

  private long modifiedMillis() {
    try {
      return Files.getLastModifiedTime(file).toMillis();
    } catch (IOException e) {
      throw new ConfigException(file + ": cannot read " + what + ": " + e.getMessage(), e);
    }
  }

  private static String hash(String content) {
    try {
      return HexFormat.of().formatHex(
          MessageDigest.getInstance("SHA-256").digest(content.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }

  @Override
  public synchronized void close() {
    if (poller != null) {
      poller.shutdownNow();
      poller = null;
    }
  }
}
