package io.hourglass.chaos;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The enqueuer and worker processes of one trial, their logs and stop files. Killed workers are
 * started in order (w1, w2, ...).
 */
final class LoadProcesses {
  private static final List<String> JVM_OPTIONS = List.of("-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");
  private static final int REQUEST_TIMEOUT_MILLIS = 30_000;

  private final Path dir;
  private final String queue;
  private final String servers;
  private final List<ChildJvm> enqueuers = new ArrayList<>();
  private final List<ChildJvm> workers = new ArrayList<>();
  private int workerSeq;

  LoadProcesses(Path dir, String queue, String servers) {
    this.dir = dir;
    this.queue = queue;
    this.servers = servers;
  }

  void startEnqueuer() {
    String id = "e" + (enqueuers.size() + 1);
    enqueuers.add(ChildJvm.startMain(id, dir.resolve(id + ".out"), JVM_OPTIONS, EnqueuerProcess.class,
        common(id, "stop-enqueue", "batch=20", "payload=100")));
  }

  void startWorker() {
    String id = "w" + (++workerSeq);
    workers.add(ChildJvm.startMain(id, dir.resolve(id + ".out"), JVM_OPTIONS, WorkerProcess.class,
        common(id, "stop-work", "limit=20", "workMillis=5")));
  }

  /** kill -9 of the first live worker; returns its id. */
  String killOneWorker() {
    ChildJvm w = workers.stream().filter(ChildJvm::isAlive).findFirst()
        .orElseThrow(() -> new IllegalStateException("no live worker to kill"));
    w.kill9();
    return w.name();
  }

  /** Asks the enqueuers to stop and waits for them. */
  void stopEnqueuers() {
    stop("stop-enqueue", enqueuers);
  }

  /** Asks the workers to stop (they send their last acks) and waits for them. */
  void stopWorkers() {
    stop("stop-work", workers);
  }

  void killAll() {
    enqueuers.forEach(ChildJvm::kill9);
    workers.forEach(ChildJvm::kill9);
  }

  boolean anyEnqueuerDied() {
    return enqueuers.stream().anyMatch(e -> !e.isAlive());
  }

  /** Every log line written so far, of all processes (enqueuer and worker logs). */
  List<Object> records() {
    List<Object> out = new ArrayList<>();
    try (var files = Files.list(dir)) {
      for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".log")).toList()) {
        for (String line : Files.readAllLines(f)) {
          Object r = Records.parse(line);
          if (r != null) {
            out.add(r);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  private void stop(String stopFile, List<ChildJvm> which) {
    try {
      Files.writeString(dir.resolve(stopFile), "");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (ChildJvm j : which) {
      if (j.isAlive()) {
        j.awaitExit(30_000);
      }
    }
  }

  private List<String> common(String id, String stopFile, String... extra) {
    List<String> args = new ArrayList<>(List.of("id=" + id, "queue=" + queue, "servers=" + servers,
        "out=" + dir.resolve(id + ".log"), "stop=" + dir.resolve(stopFile),
        "parent=" + ProcessHandle.current().pid(), "requestTimeoutMillis=" + REQUEST_TIMEOUT_MILLIS));
    args.addAll(List.of(extra));
    return args;
  }
}
