package io.hourglass.chaos;

import java.util.List;

/**
 * What one trial found. Recovery times are milliseconds from the fault, -1 when it never
 * happened (or does not apply).
 *
 * @param acknowledged        descriptors enqueueJobs returned
 * @param lost                acknowledged jobs missing, or not SUCCEEDED, after the drain
 * @param storedTwice         body ids stored under more than one descriptor
 * @param bodiesDamaged       jobs whose body failed its checksum (on delivery or lookup)
 * @param storedUnacknowledged jobs stored by an enqueueJobs call that failed for the client
 * @param twiceAfterTimeout   jobs delivered more than once, each time after a claim timeout (allowed)
 * @param twiceWhileLive      jobs delivered again while a claim on them was live (a defect)
 * @param firstEnqueueMs      first enqueueJobs sent after the fault that succeeded: its answer
 * @param firstDequeueMs      first dequeue sent after the fault that returned jobs: its answer
 * @param backMs              server and shard faults: until the target served again (the restarted
 *                            server answers on its admin port; every server lists the shard healthy)
 * @param backAfterRepairMs   the same, from the restart or SIGCONT
 * @param flaps               shard faults: times a server took the shard out of rotation again
 *                            after it was first back (all servers together)
 * @param problems            a few examples of each defect, for the reader
 */
record TrialReport(int trial, FaultKind kind, String target, int acknowledged, int lost, int storedTwice,
                   int bodiesDamaged, int storedUnacknowledged, int twiceAfterTimeout, int twiceWhileLive,
                   long firstEnqueueMs, long firstDequeueMs, long backMs, long backAfterRepairMs,
                   long flaps, List<String> problems) {

  boolean failed() {
    return lost > 0 || twiceWhileLive > 0 || storedTwice > 0 || bodiesDamaged > 0;
  }

  static String header() {
    return String.format("%-5s %-22s %-8s %8s %5s %9s %8s %9s %10s %9s %8s %8s %11s",
        "trial", "fault", "target", "acked", "lost", "stored2x", "damaged", "unacked*", "dup-after", "dup-live",
        "enq-ms", "deq-ms", "back-ms");
  }

  String row() {
    String back = backMs < 0 ? "-" : backMs + "/" + backAfterRepairMs + (flaps > 0 ? " (" + flaps + " flaps)" : "");
    return String.format("%-5d %-22s %-8s %8d %5d %9d %8d %9d %10d %9d %8s %8s %11s",
        trial, kind.label, target, acknowledged, lost, storedTwice, bodiesDamaged, storedUnacknowledged,
        twiceAfterTimeout, twiceWhileLive, ms(firstEnqueueMs), ms(firstDequeueMs), back);
  }

  private static String ms(long v) {
    return v < 0 ? "never" : String.valueOf(v);
  }
}
