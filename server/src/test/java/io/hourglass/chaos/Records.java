package io.hourglass.chaos;

/**
 * The lines the load processes append (one line per event, flushed before the process acts on
 * it), and their parsers. Times are {@code System.currentTimeMillis()} of one machine.
 */
final class Records {
  private Records() {}

  /**
   * A job the server acknowledged: enqueueJobs was sent at {@code sentMs} and returned its
   * descriptor at {@code ackedMs}.
   */
  record Acked(String descriptor, String bodyId, long sentMs, long ackedMs) {
    String line() {
      return "A " + descriptor + " " + bodyId + " " + sentMs + " " + ackedMs;
    }
  }

  /**
   * One hand-out of a job to a worker: the dequeue was sent at {@code sentMs} and answered at
   * {@code receivedMs}, so the server's claim was made between the two. {@code attempt} (1 for
   * the first claim) numbers the claims of a job: every claim uses one attempt.
   */
  record Delivery(String descriptor, String worker, long sentMs, long receivedMs, int attempt, String bodyId) {
    boolean bodyIntact() {
      return !bodyId.equals("-");
    }

    String line() {
      return "D " + descriptor + " " + worker + " " + sentMs + " " + receivedMs + " " + attempt + " " + bodyId;
    }
  }

  /** Parses one line of a load log; null for a line cut short by a kill -9. */
  static Object parse(String line) {
    String[] f = line.split(" ");
    try {
      if (f[0].equals("A") && f.length == 5) {
        return new Acked(f[1], f[2], Long.parseLong(f[3]), Long.parseLong(f[4]));
      }
      if (f[0].equals("D") && f.length == 7) {
        return new Delivery(f[1], f[2], Long.parseLong(f[3]), Long.parseLong(f[4]), Integer.parseInt(f[5]), f[6]);
      }
    } catch (NumberFormatException e) {
      return null;
    }
    return null;
  }
}
