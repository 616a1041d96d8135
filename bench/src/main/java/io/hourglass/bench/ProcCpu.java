package io.hourglass.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time of a process from {@code /proc/<pid>/stat}: user + system time, children excluded.
 * Counts every thread of the process (JIT and GC included).
 */
final class ProcCpu {
  /** Clock ticks per second of utime/stime; Linux has used 100 on every common platform. */
  private static final long TICKS_PER_SECOND = Long.getLong("bench.clkTck", 100);

  private ProcCpu() {}

  /** CPU time of {@code pid} so far, in microseconds. */
  static long micros(long pid) {
    String stat;
    try {
      stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
    } catch (IOException e) {
      throw new UncheckedIOException("bench: cannot read the CPU time of process " + pid, e);
    }
    return ticksToMicros(parseTicks(stat));
  }

  static long selfMicros() {
    return micros(ProcessHandle.current().pid());
  }

  /**
   * utime + stime from a stat line. The command name (field 2) is in parentheses and may hold
   * spaces, so fields are counted from the last ')': state is field 3, utime 14, stime 15.
   */
  static long parseTicks(String stat) {
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" +");
    return Long.parseLong(f[11]) + Long.parseLong(f[12]);
  }

  private static long ticksToMicros(long ticks) {
    return ticks * 1_000_000L / TICKS_PER_SECOND;
  }
}
