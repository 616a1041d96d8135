package io.hourglass.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A one-line description of the machine, for the table's caption. */
final class Machine {
  private Machine() {}

  static String describe() {
    String model = "unknown CPU";
    try {
      model = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
          .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse(model);
    } catch (IOException e) {
      // the caption says "unknown CPU"
    }
    long memGiB = 0;
    try {
      memGiB = Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal"))
          .map(l -> Long.parseLong(l.replaceAll("\\D", "")) / 1024 / 1024).findFirst().orElse(0L);
    } catch (IOException e) {
      // 0 GiB in the caption
    }
    return "%d cores (%s), %d GiB, %s".formatted(Runtime.getRuntime().availableProcessors(), model, memGiB, loadAverage());
  }

  static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return "load average " + f[0] + " " + f[1] + " " + f[2];
    } catch (IOException e) {
      return "load average unknown";
    }
  }
}
