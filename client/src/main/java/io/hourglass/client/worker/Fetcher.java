package io.hourglass.client.worker;

import io.hourglass.client.HourglassException;
import io.hourglass.thrift.PinLaterDequeueMetadata;
import io.hourglass.thrift.PinLaterDequeueRequest;
import io.hourglass.thrift.PinLaterDequeueResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The thread that dequeues: waits for free slots, asks for exactly that many jobs with every
 * buffered ack riding along, hands the jobs out, and backs off when the dequeue fails. An empty
 * queue is waited out on the server (long-poll, {@link WorkerConfig#dequeueWait()}); only when an
 * empty answer comes back sooner than half that wait does the idle backoff apply. A failed dequeue puts its acks back in the buffer: we cannot know whether the
 * server applied them, and applying an ack twice changes nothing. Put-back acks are already due,
 * so the flusher soon sends them alone; if they, not the dequeue, were what the server refused,
 * that is where it shows, and they are dropped instead of failing every dequeue after.
 */
final class Fetcher {
  private static final Logger LOG = LoggerFactory.getLogger(Fetcher.class);
  private static final int FAILED = -1;

  private final WorkerParts parts;
  private final Consumer<Job> dispatch;
  private final StopSignal stop = new StopSignal();
  private final Thread thread;

  /** {@code dispatch} starts a job on a free worker thread; its slot is already taken. */
  Fetcher(WorkerParts parts, Consumer<Job> dispatch) {
    this.parts = parts;
    this.dispatch = dispatch;
    this.thread = new Thread(this::loop, "hourglass-fetch-" + parts.queue());
    thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  /** Stops fetching; returns once the dequeue in flight, if any, has been answered and handed out. */
  void stop() {
    stop.stop();
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void loop() {
    int emptyInARow = 0;
    int failedInARow = 0;
    int[] free = new int[1];
    while (stop.await(() -> free[0] = parts.slots().takeFree())) {
      if (stop.isStopped()) {
        parts.slots().giveBack(free[0]);
        return;
      }
      long started = System.nanoTime();
      int got = fetch(free[0]);
      boolean serverWaited = System.nanoTime() - started >= parts.config().dequeueWait().toNanos() / 2
          && !parts.config().dequeueWait().isZero();
      Duration pause = Duration.ZERO;
      if (got == FAILED) {
        emptyInARow = 0;
        pause = parts.config().errorBackoff().delay(++failedInARow);
      } else if (got == 0 && serverWaited) {
        failedInARow = 0;
        emptyInARow = 0;
      } else if (got == 0) {
        failedInARow = 0;
        pause = parts.config().idleBackoff().delay(++emptyInARow);
      } else {
        emptyInARow = 0;
        failedInARow = 0;
      }
      Duration wait = pause;
      if (!wait.isZero() && !stop.await(() -> parts.timing().sleeper().sleep(wait))) {
        return;
      }
    }
  }

  /** One dequeue for {@code limit} jobs; returns how many came, or {@link #FAILED}. */
  private int fetch(int limit) {
    WorkerStats stats = parts.stats();
    AckBatch acks = parts.acks().drain();
    PinLaterDequeueRequest request = new PinLaterDequeueRequest(parts.queue(), limit);
    if (!parts.config().dequeueWait().isZero()) {
      request.setWaitMillis((int) parts.config().dequeueWait().toMillis());
    }
    if (!acks.isEmpty()) {
      request.setJobAckRequest(acks.toRequest(parts.queue()));
    }
    stats.dequeueRpcs.incrementAndGet();
    List<Job> jobs;
    try {
      PinLaterDequeueResponse response = parts.client().dequeueJobs(request);
      keepUnappliedAcks(acks, response);
      jobs = jobsOf(response);
    } catch (HourglassException e) {
      stats.dequeueFailures.incrementAndGet();
      parts.acks().putBack(acks);
      parts.slots().giveBack(limit);
      LOG.warn("queue {}: dequeue failed ({} acks kept for later): {}", parts.queue(), acks.size(), e.getMessage());
      return FAILED;
    }
    stats.acksPiggybacked.addAndGet(acks.size());
    stats.jobsDequeued.addAndGet(jobs.size());
    if (jobs.isEmpty()) {
      stats.emptyDequeues.incrementAndGet();
    }
    parts.slots().giveBack(limit - jobs.size());
    for (Job job : jobs) {
      parts.slots().occupy(job.descriptor());
      dispatch.accept(job);
    }
    return jobs.size();
  }

  /**
   * The server could not confirm some piggy-backed acks (their shard is down, or they were still
   * running when the dequeue's claim had its jobs and its short wait for them ran out) but
   * answered the dequeue: those acks go back in the buffer for a later request (a resend of an
   * ack that did apply meanwhile moves nothing).
   */
  private void keepUnappliedAcks(AckBatch sent, PinLaterDequeueResponse response) {
    List<String> unapplied = response.getUnappliedAckDescriptors();
    if (unapplied != null && !unapplied.isEmpty()) {
      AckBatch again = sent.only(Set.copyOf(unapplied));
      parts.acks().putBack(again);
      parts.stats().acksPiggybacked.addAndGet(-again.size());
      LOG.warn("queue {}: {} acks not confirmed (shard down or slow), kept to send again", parts.queue(), again.size());
    }
  }

  private List<Job> jobsOf(PinLaterDequeueResponse response) {
    Map<String, ByteBuffer> bodies = response.getJobs();
    if (bodies == null || bodies.isEmpty()) {
      return List.of();
    }
    Map<String, PinLaterDequeueMetadata> meta = response.getJobMetadata() == null ? Map.of() : response.getJobMetadata();
    List<Job> jobs = new ArrayList<>(bodies.size());
    bodies.forEach((descriptor, body) -> {
      PinLaterDequeueMetadata m = meta.get(descriptor);
      // Without metadata, treat the run as the last attempt: the handler may not count on a retry.
      int allowed = m != null && m.isSetAttemptsAllowed() ? m.getAttemptsAllowed() : 1;
      int remaining = m != null && m.isSetAttemptsRemaining() ? m.getAttemptsRemaining() : 1;
      jobs.add(new Job(parts.queue(), descriptor, bytes(body), allowed, remaining));
    });
    return jobs;
  }

  /** A binary field may be a slice of a shared buffer: copy what is between position and limit. */
  private static byte[] bytes(ByteBuffer body) {
    ByteBuffer b = body.duplicate();
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }
}
