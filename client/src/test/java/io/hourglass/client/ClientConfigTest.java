package io.hourglass.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClientConfigTest {
  @Test
  void commaSeparatedServersBecomeAFinagleDestination() {
    ClientConfig c = ClientConfig.of(" host1:9010, host2:9010 ,");
    assertEquals(List.of("host1:9010", "host2:9010"), c.servers());
    assertEquals("host1:9010,host2:9010", c.destination());
  }

  @Test
  void defaultsAreFilledIn() {
    ClientConfig c = ClientConfig.of("h:1");
    assertEquals(ClientConfig.DEFAULT_REQUEST_TIMEOUT, c.requestTimeout());
    assertEquals(ClientConfig.DEFAULT_READ_ATTEMPTS, c.readAttempts());
    assertTrue(c.source().startsWith("hourglass-client:"), c.source());
  }

  @Test
  void serverWithoutAPortIsRejectedByName() {
    var e = assertThrows(IllegalArgumentException.class, () -> ClientConfig.of("h1:9010,h2"));
    assertTrue(e.getMessage().contains("'h2'"), e.getMessage());
  }

  @Test
  void portOutOfRangeIsRejected() {
    assertThrows(IllegalArgumentException.class, () -> ClientConfig.of("h:70000"));
  }

  @Test
  void nonPositiveTimeoutIsRejected() {
    assertThrows(IllegalArgumentException.class, () -> ClientConfig.of("h:1").withRequestTimeout(Duration.ZERO));
  }

  @Test
  void blankSourceIsRejected() {
    assertThrows(IllegalArgumentException.class, () -> ClientConfig.of("h:1").withSource(" "));
  }
}
