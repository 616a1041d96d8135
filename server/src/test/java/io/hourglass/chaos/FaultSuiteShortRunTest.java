package io.hourglass.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/**
 * The fault suite's short run (one fault of each kind, real processes throughout): a regression
 * in durability or claim safety makes the build red. The long run is {@code scripts/chaos --long}.
 */
class FaultSuiteShortRunTest {
  @Test
  void noAcknowledgedJobIsLostAndNoJobIsHandedOutWhileAClaimIsLive() throws Exception {
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(new TeeStream(printed, System.out), true, StandardCharsets.UTF_8);
    FaultSuite.Result r = FaultSuite.run(SuitePlan.shortRun(), Files.createTempDirectory("hourglass-chaos-"), null, out);
    String report = printed.toString(StandardCharsets.UTF_8);

    assertEquals(FaultKind.values().length, r.trials().size(), report);
    assertTrue(r.total(TrialReport::acknowledged) > 0, "no job was acknowledged at all:\n" + report);
    assertEquals(0, r.total(TrialReport::lost), "acknowledged jobs lost:\n" + report);
    assertEquals(0, r.total(TrialReport::storedTwice), "jobs stored twice:\n" + report);
    assertEquals(0, r.total(TrialReport::bodiesDamaged), "bodies damaged:\n" + report);
    assertEquals(0, r.total(TrialReport::twiceWhileLive), "jobs delivered while a claim was live:\n" + report);
  }

  /** Writes to two streams: the test's copy and surefire's output file. */
  private static final class TeeStream extends java.io.OutputStream {
    private final java.io.OutputStream a;
    private final java.io.OutputStream b;

    TeeStream(java.io.OutputStream a, java.io.OutputStream b) {
      this.a = a;
      this.b = b;
    }

    @Override
    public void write(int c) throws java.io.IOException {
      a.write(c);
      b.write(c);
    }

    @Override
    public void write(byte[] buf, int off, int len) throws java.io.IOException {
      a.write(buf, off, len);
      b.write(buf, off, len);
    }
  }
}
