package io.hourglass.server.queue;

/** What one claim-timeout rescue moved: back to PENDING, or to FAILED (no attempts left). */
public record RescueResult(int toPending, int toFailed) {
  public int total() {
    return toPending + toFailed;
  }
}
