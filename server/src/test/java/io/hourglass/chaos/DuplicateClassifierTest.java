package io.hourglass.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hourglass.chaos.DuplicateClassifier.Kind;
import io.hourglass.chaos.Records.Delivery;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class DuplicateClassifierTest {
  private final DuplicateClassifier classifier = new DuplicateClassifier(Duration.ofSeconds(3));

  private static Delivery d(String worker, long sent, long received, int attempt) {
    return new Delivery("q:s1:p1:7", worker, sent, received, attempt, "e1-7");
  }

  @Test
  void aJobDeliveredOnceHasNoVerdict() {
    assertTrue(classifier.classify(List.of(d("w1", 0, 10, 1))).isEmpty());
  }

  @Test
  void redeliveryAfterTheClaimTimeoutIsAllowed() {
    assertEquals(Kind.AFTER_CLAIM_TIMEOUT,
        classifier.classify(List.of(d("w1", 0, 10, 1), d("w2", 3_400, 3_410, 2))).orElseThrow().kind());
  }

  @Test
  void aReclaimBeforeTheOldClaimCouldExpireIsADefect() {
    assertEquals(Kind.WHILE_CLAIM_LIVE,
        classifier.classify(List.of(d("w1", 0, 10, 1), d("w2", 1_000, 1_010, 2))).orElseThrow().kind());
  }

  @Test
  void anExpiredClaimHandedOutAfterTheJobWasClaimedAgainIsADefect() {
    // D3: w1's dequeue claims, then hangs on a frozen shard for 20 s; meanwhile the claim times
    // out and w2 claims the job (attempt 2); at the thaw w1 still receives attempt 1.
    assertEquals(Kind.WHILE_CLAIM_LIVE,
        classifier.classify(List.of(d("w1", 0, 20_000, 1), d("w2", 4_000, 4_010, 2))).orElseThrow().kind());
  }

  @Test
  void oneClaimHandedOutTwiceIsADefect() {
    assertEquals(Kind.WHILE_CLAIM_LIVE,
        classifier.classify(List.of(d("w1", 0, 10, 1), d("w2", 9_000, 9_010, 1))).orElseThrow().kind());
  }

  @Test
  void anyDefectivePairMakesTheJobADefect() {
    assertEquals(Kind.WHILE_CLAIM_LIVE, classifier.classify(List.of(
        d("w1", 0, 10, 1), d("w2", 3_400, 3_410, 2), d("w3", 4_000, 4_010, 3))).orElseThrow().kind());
  }
}
