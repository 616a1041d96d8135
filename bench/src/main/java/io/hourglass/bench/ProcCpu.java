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

  /**
   * CPU time so far of the JIT compiler threads of JVM {@code pid} (threads named "C1 CompilerThre…"
   * and "C2 CompilerThre…"; Linux cuts a thread's name at 15 characters), in microseconds.
   */
  static long compilerMicros(long pid) {
    long ticks = 0;
    try (var tasks = Files.list(Path.of("/proc", String.valueOf(pid), "task"))) {
      for (Path task : (Iterable<Path>) tasks::iterator) {
        String stat;
        try {
          stat = Files.readString(task.resolve("stat"));
        } catch (IOException gone) {
          continue; // the thread ended between the listing and the read
        }
        String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        if (name.startsWith("C1 CompilerThre") || name.startsWith("C2 CompilerThre")) {
          ticks += parseTicks(stat);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("bench: cannot list the threads of process " + pid, e);
    }
    return ticksToMicros(ticks);
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
