package io.hourglass.chaos;

import io.hourglass.client.ClientConfig;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * The {@code key=value} arguments of a load process ({@link EnqueuerProcess}, {@link
 * WorkerProcess}), and what every load process shares: its client config, its log, its stop
 * file, and dying with the suite.
 */
record LoadArgs(Map<String, String> values) {
  static LoadArgs parse(String[] args) {
    Map<String, String> m = new HashMap<>();
    for (String a : args) {
      String[] kv = a.split("=", 2);
      if (kv.length != 2) {
        throw new IllegalArgumentException("expected key=value, got '" + a + "'");
      }
      m.put(kv[0], kv[1]);
    }
    return new LoadArgs(m);
  }

  String get(String key) {
    String v = values.get(key);
    if (v == null) {
      throw new IllegalArgumentException("missing argument " + key + "=");
    }
    return v;
  }

  int getInt(String key) {
    return Integer.parseInt(get(key));
  }

  String id() {
    return get("id");
  }

  String queue() {
    return get("queue");
  }

  ClientConfig clientConfig() {
    return ClientConfig.of(get("servers"))
        .withSource("chaos-" + id() + "-" + ProcessHandle.current().pid())
        .withConnectTimeout(Duration.ofMillis(500))
        .withRequestTimeout(Duration.ofMillis(getInt("requestTimeoutMillis")));
  }

  boolean stopRequested() {
    return Files.exists(Path.of(get("stop")));
  }

  /** The log, appended to; every line is flushed to the OS before the process acts on it. */
  BufferedWriter openLog() {
    try {
      return Files.newBufferedWriter(Path.of(get("out")), StandardCharsets.UTF_8,
          StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Exits this process when the suite that started it is gone, so no load outlives a run. */
  void dieWithParent() {
    long parent = Long.parseLong(get("parent"));
    Thread t = new Thread(() -> {
      while (true) {
        if (ProcessHandle.of(parent).map(ProcessHandle::isAlive).orElse(false) == Boolean.FALSE) {
          Runtime.getRuntime().halt(3);
        }
        try {
          Thread.sleep(1000);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "parent-watch");
    t.setDaemon(true);
    t.start();
  }
}
