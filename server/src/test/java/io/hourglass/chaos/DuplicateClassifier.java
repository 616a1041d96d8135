package io.hourglass.chaos;

import io.hourglass.chaos.Records.Delivery;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Decides, for a job handed out more than once, whether the server kept its promise: a job is
 * never handed to a worker while another worker's claim on it is live.
 *
 * <p>How is this designed, and why? A worker knows only that the server made its claim between
 * sending the dequeue ({@code sentMs}) and receiving the answer ({@code receivedMs}). The claims
 * of one job are ordered by their attempt number (each claim uses one attempt; the suite's
 * workers never fail a job, so only a claim timeout makes a new claim). For two consecutive
 * claims P (older) and Q, a hand-out is a defect, "while a claim was live", when
 * <ul>
 *   <li>both carry the same attempt: one claim was handed out twice;
 *   <li>P reached its worker no earlier than Q reached its own: the older claim was handed out
 *       although the job had been claimed again (the D3 pattern: a dequeue held up by a frozen
 *       shard delivers claims that timed out and that another worker may have finished);
 *   <li>Q was received less than the claim timeout after P was sent: then Q's claim was made
 *       before P's could have expired.
 * </ul>
 * Anything else is "after a claim timeout", the at-least-once redelivery a worker must expect
 * (its worker was killed, or its ack did not arrive in time). Only provable defects are counted
 * as defects; the bounds make no use of the worker's identity, so a killed worker's claim gets
 * no extra allowance.
 */
final class DuplicateClassifier {
  enum Kind { AFTER_CLAIM_TIMEOUT, WHILE_CLAIM_LIVE }

  /** The verdict on one job delivered more than once, with the pair that decided it. */
  record Verdict(Kind kind, String reason, Delivery older, Delivery newer) {}

  private final long claimTimeoutMs;

  DuplicateClassifier(Duration claimTimeout) {
    this.claimTimeoutMs = claimTimeout.toMillis();
  }

  /** Empty when the job was delivered once; else the worst verdict over its consecutive claims. */
  Optional<Verdict> classify(List<Delivery> deliveries) {
    if (deliveries.size() < 2) {
      return Optional.empty();
    }
    List<Delivery> byClaim = new ArrayList<>(deliveries);
    byClaim.sort(Comparator.comparingInt(Delivery::attempt).thenComparingLong(Delivery::receivedMs));
    Verdict allowed = null;
    for (int i = 1; i < byClaim.size(); i++) {
      Verdict v = pair(byClaim.get(i - 1), byClaim.get(i));
      if (v.kind() == Kind.WHILE_CLAIM_LIVE) {
        return Optional.of(v);
      }
      allowed = v;
    }
    return Optional.of(allowed);
  }

  private Verdict pair(Delivery p, Delivery q) {
    if (p.attempt() == q.attempt()) {
      return new Verdict(Kind.WHILE_CLAIM_LIVE, "attempt " + p.attempt() + " handed out twice", p, q);
    }
    if (p.receivedMs() >= q.receivedMs()) {
      return new Verdict(Kind.WHILE_CLAIM_LIVE, "attempt " + p.attempt() + " reached " + p.worker() + " "
          + (p.receivedMs() - q.receivedMs()) + " ms after attempt " + q.attempt() + " reached " + q.worker(), p, q);
    }
    if (q.receivedMs() - p.sentMs() < claimTimeoutMs) {
      return new Verdict(Kind.WHILE_CLAIM_LIVE, "attempt " + q.attempt() + " claimed within "
          + (q.receivedMs() - p.sentMs()) + " ms of attempt " + p.attempt() + " (claim timeout " + claimTimeoutMs + " ms)", p, q);
    }
    return new Verdict(Kind.AFTER_CLAIM_TIMEOUT, "re-claimed " + (q.sentMs() - p.receivedMs()) + " ms after hand-out", p, q);
  }
}
