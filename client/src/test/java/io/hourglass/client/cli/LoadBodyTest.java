package io.hourglass.client.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class LoadBodyTest {
  @Test
  void bodyCarriesItsEnqueueTimeAndHasTheRequestedSize() {
    Instant t = Instant.parse("2026-01-02T03:04:05.123456Z");
    byte[] body = LoadBody.make(64, t);
    assertEquals(64, body.length);
    assertEquals(OptionalLong.of(LoadBody.micros(t)), LoadBody.enqueuedMicros(body));
  }

  @Test
  void bodiesNotMadeByTheLoadGeneratorAreNotMeasured() {
    assertEquals(OptionalLong.empty(), LoadBody.enqueuedMicros("an ordinary job body".getBytes(StandardCharsets.UTF_8)));
    assertEquals(OptionalLong.empty(), LoadBody.enqueuedMicros(new byte[] {1, 2}));
  }
}
