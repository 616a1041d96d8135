package io.hourglass.client.worker;

import io.hourglass.thrift.PinLaterCheckpointJobRequest;
import io.hourglass.thrift.PinLaterCheckpointJobsRequest;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every interval, checkpoints the jobs still running (no moveToPending: a plain heartbeat) so
 * that long jobs keep their claim. A failed checkpoint is logged and counted, never fatal: the
 * worst case is that the claim times out and the job runs again elsewhere.
 */
final class Heartbeat {
  private static final Logger LOG = LoggerFactory.getLogger(Heartbeat.class);

  private final WorkerParts parts;
  private ScheduledExecutorService scheduler;

  Heartbeat(WorkerParts parts) {
    this.parts = parts;
  }

  void start() {
    long millis = parts.config().heartbeatInterval().toMillis();
    if (millis <= 0) {
      return;
    }
    scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "hourglass-heartbeat-" + parts.queue());
      t.setDaemon(true);
      return t;
    });
    scheduler.scheduleWithFixedDelay(this::beat, millis, millis, TimeUnit.MILLISECONDS);
  }

  void stop() {
    if (scheduler != null) {
      scheduler.shutdownNow();
    }
  }

  private void beat() {
    List<String> running = parts.slots().running();
    if (running.isEmpty()) {
      return;
    }
    List<PinLaterCheckpointJobRequest> requests = running.stream().map(PinLaterCheckpointJobRequest::new).toList();
    parts.stats().checkpointRpcs.incrementAndGet();
    try {
      parts.client().checkpointJobs(new PinLaterCheckpointJobsRequest(parts.queue(), requests));
    } catch (RuntimeException e) {
      // Caught broadly: an exception escaping here would cancel every later heartbeat.
      long failures = parts.stats().checkpointFailures.incrementAndGet();
      // Logs the 1st, 2nd, 4th, 8th... failure: a server without checkpoint support must not
      // flood the log with one warning per heartbeat.
      if (Long.bitCount(failures) == 1) {
        LOG.warn("queue {}: heartbeat for {} running jobs failed ({} so far): {}",
            parts.queue(), running.size(), failures, e.getMessage());
      }
    }
  }
}
