package io.hourglass.server.queue;

/**
 * Where a scan stopped: the position of the last job returned in the scan order (runAfter
 * descending, then shard id descending, then local id descending). As a continuation token it
 * is {@code v1.<runAfter>.<shardId>.<localId>}; the IDL's "0" starts a scan and "-1" ends one.
 */
public record ScanCursor(long runAfterMillis, int shardId, long localId) {
  public static final String START = "0";
  public static final String END = "-1";

  /** Parses a token; null means "from the start". */
  public static ScanCursor parse(String token) {
    if (token == null || token.isEmpty() || token.equals(START)) {
      return null;
    }
    String[] parts = token.split("\\.");
    try {
      if (parts.length == 4 && parts[0].equals("v1")) {
        return new ScanCursor(Long.parseLong(parts[1]), Integer.parseInt(parts[2]), Long.parseLong(parts[3]));
      }
    } catch (NumberFormatException e) {
      // falls through to the error below
    }
    throw QueueException.badArgument("continuation", "'" + token + "' is not a continuation this server issued"
        + (token.equals(END) ? " (\"-1\" marks the end of a scan: there is nothing more)" : ""));
  }

  public static ScanCursor after(JobInfo job) {
    return new ScanCursor(job.runAfterMillis(), job.descriptor().shardId(), job.descriptor().localId());
  }

  /** Scan order: newest runAfter first, then higher shard, then higher id. */
  public static int compare(JobInfo a, JobInfo b) {
    int c = Long.compare(b.runAfterMillis(), a.runAfterMillis());
    if (c == 0) {
      c = Integer.compare(b.descriptor().shardId(), a.descriptor().shardId());
    }
    return c != 0 ? c : Long.compare(b.descriptor().localId(), a.descriptor().localId());
  }

  public String token() {
    return "v1." + runAfterMillis + "." + shardId + "." + localId;
  }
}
