package io.hourglass.client.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class DurationConverterTest {
  private final DurationConverter converter = new DurationConverter();

  @Test
  void readsTheUnitsPeopleType() {
    assertEquals(Duration.ofMillis(250), converter.convert("250ms"));
    assertEquals(Duration.ofSeconds(10), converter.convert("10s"));
    assertEquals(Duration.ofMinutes(5), converter.convert("5m"));
    assertEquals(Duration.ofHours(1), converter.convert("1h"));
  }

  @Test
  void bareNumberMeansSeconds() {
    assertEquals(Duration.ofSeconds(3), converter.convert("3"));
  }

  @Test
  void acceptsIsoDurations() {
    assertEquals(Duration.ofSeconds(90), converter.convert("PT1M30S"));
  }

  @Test
  void rejectsNonsenseWithAnExample() {
    var e = assertThrows(CommandLine.TypeConversionException.class, () -> converter.convert("soon"));
    assertEquals("'soon' is not a duration like 500ms, 10s, 5m, 1h", e.getMessage());
  }
}
