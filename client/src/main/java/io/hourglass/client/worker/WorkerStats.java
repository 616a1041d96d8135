package io.hourglass.client.worker;

import java.util.concurrent.atomic.AtomicLong;

/** The worker's counters: RPCs made and jobs handled. Thread-safe; read with {@link #snapshot()}. */
public final class WorkerStats {
  final AtomicLong dequeueRpcs = new AtomicLong();
  final AtomicLong dequeueFailures = new AtomicLong();
  final AtomicLong emptyDequeues = new AtomicLong();
  final AtomicLong jobsDequeued = new AtomicLong();
  final AtomicLong jobsSucceeded = new AtomicLong();
  final AtomicLong jobsFailed = new AtomicLong();
  final AtomicLong ackRpcs = new AtomicLong();
  final AtomicLong ackRpcFailures = new AtomicLong();
  final AtomicLong acksPiggybacked = new AtomicLong();
  final AtomicLong acksSentAlone = new AtomicLong();
  final AtomicLong acksDropped = new AtomicLong();
  final AtomicLong checkpointRpcs = new AtomicLong();
  final AtomicLong checkpointFailures = new AtomicLong();

  /**
   * The counters at one moment.
   *
   * @param dequeueRpcs        dequeueJobs calls made, failed ones included
   * @param dequeueFailures    dequeueJobs calls that failed (their acks were put back)
   * @param emptyDequeues      dequeueJobs calls that returned no job
   * @param jobsDequeued       jobs received
   * @param jobsSucceeded      handler returned normally
   * @param jobsFailed         handler threw (jobs abandoned at shutdown not counted)
   * @param ackRpcs            ackDequeuedJobs calls made, failed ones included
   * @param ackRpcFailures     ackDequeuedJobs calls that failed
   * @param acksPiggybacked    acks delivered on a successful dequeueJobs
   * @param acksSentAlone      acks delivered by a successful ackDequeuedJobs
   * @param acksDropped        acks given up on: refused as invalid, undeliverable at shutdown, or
   *                           of jobs still running when the shutdown grace ran out
   * @param checkpointRpcs     heartbeat checkpointJobs calls made, failed ones included
   * @param checkpointFailures heartbeat checkpointJobs calls that failed
   */
  public record Snapshot(
      long dequeueRpcs, long dequeueFailures, long emptyDequeues, long jobsDequeued,
      long jobsSucceeded, long jobsFailed, long ackRpcs, long ackRpcFailures,
      long acksPiggybacked, long acksSentAlone, long acksDropped,
      long checkpointRpcs, long checkpointFailures) {

    public long jobsDone() {
      return jobsSucceeded + jobsFailed;
    }

    public long acksDelivered() {
      return acksPiggybacked + acksSentAlone;
    }
  }

  public Snapshot snapshot() {
    return new Snapshot(
        dequeueRpcs.get(), dequeueFailures.get(), emptyDequeues.get(), jobsDequeued.get(),
        jobsSucceeded.get(), jobsFailed.get(), ackRpcs.get(), ackRpcFailures.get(),
        acksPiggybacked.get(), acksSentAlone.get(), acksDropped.get(),
        checkpointRpcs.get(), checkpointFailures.get());
  }
}
