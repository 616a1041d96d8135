package io.hourglass.client.cli;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.OptionalLong;

/**
 * Bodies of load jobs: a marker and the enqueue time (epoch microseconds), padded to size, so
 * the worker side can measure enqueue-to-handled latency. Bodies without the marker (jobs not
 * made by the load generator) are handled but not measured.
 */
final class LoadBody {
  private static final int MARKER = 0x48474c44; // "HGLD"
  static final int MIN_SIZE = Integer.BYTES + Long.BYTES;

  private LoadBody() {}

  static byte[] make(int size, Instant now) {
    ByteBuffer b = ByteBuffer.allocate(size);
    b.putInt(MARKER).putLong(micros(now));
    return b.array();
  }

  static OptionalLong enqueuedMicros(byte[] body) {
    if (body.length < MIN_SIZE) {
      return OptionalLong.empty();
    }
    ByteBuffer b = ByteBuffer.wrap(body);
    return b.getInt() == MARKER ? OptionalLong.of(b.getLong()) : OptionalLong.empty();
  }

  static long micros(Instant t) {
    return t.getEpochSecond() * 1_000_000 + t.getNano() / 1_000;
  }
}
