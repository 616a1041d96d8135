package io.hourglass.chaos;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.zip.CRC32;

/**
 * The body of a fault-suite job: {@code <bodyId>|<payload>|<crc32 of the two>}. The body id
 * ({@code <enqueuer>-<seq>}) is never enqueued twice, so one body id under two descriptors means
 * the server stored a job twice; the checksum proves the body came back intact.
 */
final class JobBody {
  private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

  private JobBody() {}

  static byte[] make(String bodyId, int payloadChars) {
    StringBuilder payload = new StringBuilder(payloadChars);
    ThreadLocalRandom r = ThreadLocalRandom.current();
    for (int i = 0; i < payloadChars; i++) {
      payload.append(ALPHABET.charAt(r.nextInt(ALPHABET.length())));
    }
    String head = bodyId + "|" + payload;
    return (head + "|" + crc(head)).getBytes(StandardCharsets.UTF_8);
  }

  /** The body id of an intact body; empty when the body is damaged in any way. */
  static Optional<String> verify(byte[] body) {
    String s = new String(body, StandardCharsets.UTF_8);
    int last = s.lastIndexOf('|');
    int first = s.indexOf('|');
    if (first <= 0 || last <= first) {
      return Optional.empty();
    }
    String head = s.substring(0, last);
    return crc(head).equals(s.substring(last + 1)) ? Optional.of(s.substring(0, first)) : Optional.empty();
  }

  private static String crc(String s) {
    CRC32 c = new CRC32();
    c.update(s.getBytes(StandardCharsets.UTF_8));
    return Long.toHexString(c.getValue());
  }
}
