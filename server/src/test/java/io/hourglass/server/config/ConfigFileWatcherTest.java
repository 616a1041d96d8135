package io.hourglass.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class ConfigFileWatcherTest {
  final java.util.Map<String, Integer> counts = new java.util.concurrent.ConcurrentHashMap<>();
  final ConfigFileWatcher.ReloadListener listener = new ConfigFileWatcher.ReloadListener() {
    @Override
    public void accepted() {
      counts.merge("accepted", 1, Integer::sum);
    }

    @Override
    public void rejected(String message) {
      counts.merge("rejected", 1, Integer::sum);
    }
  };
  final List<String> applied = new ArrayList<>();
  final AtomicBoolean refuse = new AtomicBoolean();

  private ConfigFileWatcher watcher(Path file) {
    return new ConfigFileWatcher("test config", file, Duration.ofSeconds(1), content -> {
      if (content.contains("bad") || refuse.get()) {
        throw new ConfigException(file + ": key: bad");
      }
      applied.add(content);
    }, listener);
  }

  private long count(String result) {
    return counts.getOrDefault(result, 0);
  }

  private static void touch(Path file) throws Exception {
    Files.setLastModifiedTime(file, FileTime.fromMillis(Files.getLastModifiedTime(file).toMillis() + 2000));
  }

  @Test
  void changesAreAppliedBadOnesCountedOnceAndTheSameContentIsNotReapplied() throws Exception {
    Path file = Files.createTempFile("watched-", ".json");
    Files.writeString(file, "v1");
    ConfigFileWatcher w = watcher(file);
    w.loadInitial();
    assertFalse(w.checkNow(), "unchanged");

    Files.writeString(file, "v2");
    assertTrue(w.checkNow());
    Files.writeString(file, "bad edit");
    assertFalse(w.checkNow());
    assertFalse(w.checkNow(), "a rejected content is not re-evaluated every poll");
    Files.writeString(file, "v2");
    touch(file);
    assertFalse(w.checkNow(), "back to what is applied: nothing to do");
    assertEquals(List.of("v1", "v2"), applied);
    assertEquals(1, count("accepted"));
    assertEquals(1, count("rejected"));
  }

  @Test
  void savingARefusedContentAgainRetriesIt() throws Exception {
    Path file = Files.createTempFile("watched-", ".json");
    Files.writeString(file, "v1");
    ConfigFileWatcher w = watcher(file);
    w.loadInitial();
    refuse.set(true); // e.g. a removed shard that still holds jobs
    Files.writeString(file, "v2");
    assertFalse(w.checkNow());
    refuse.set(false); // it drained
    assertFalse(w.checkNow(), "same file: not retried on its own");
    touch(file);
    assertTrue(w.checkNow(), "saved again: retried");
    assertEquals(List.of("v1", "v2"), applied);
  }

  @Test
  void aMissingFileIsRejectedOnceAndTheInitialLoadFailsLoudly() throws Exception {
    Path file = Files.createTempFile("watched-", ".json");
    Files.writeString(file, "v1");
    ConfigFileWatcher w = watcher(file);
    w.loadInitial();
    Files.delete(file);
    assertFalse(w.checkNow());
    assertFalse(w.checkNow());
    assertEquals(1, count("rejected"));
    Files.writeString(file, "v3");
    assertTrue(w.checkNow());

    Path bad = Files.createTempFile("watched-", ".json");
    Files.writeString(bad, "bad");
    assertThrows(ConfigException.class, () -> watcher(bad).loadInitial());
  }
}
