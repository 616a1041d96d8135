package io.hourglass.testing;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * What an in-process server logs while this is open: stderr (slf4j-simple, the server's own lines)
 * and java.util.logging records (Finagle's) at INFO and above.
 */
public final class ServerLogCapture implements AutoCloseable {
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private final PrintStream original = System.err;
  private final List<LogRecord> records = new CopyOnWriteArrayList<>();
  private final Handler handler = new Handler() {
    @Override
    public void publish(LogRecord r) {
      if (r.getLevel().intValue() >= Level.INFO.intValue()) {
        records.add(r);
      }
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };

  public ServerLogCapture() {
    Logger.getLogger("").addHandler(handler);
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  /** The stderr lines so far. */
  public List<String> lines() {
    return err.toString(StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).toList();
  }

  /** Lines that are part of a stack trace, and java.util.logging records that carry one. */
  public List<String> stackTraces() {
    List<String> out = new java.util.ArrayList<>(lines().stream()
        .filter(l -> l.startsWith("\tat ") || l.startsWith("Caused by") || l.contains("Exception in thread"))
        .toList());
    for (LogRecord r : records) {
      if (r.getThrown() != null) {
        out.add(r.getLoggerName() + ": " + r.getMessage() + ": " + r.getThrown());
      }
    }
    return out;
  }

  @Override
  public void close() {
    System.setErr(original);
    Logger.getLogger("").removeHandler(handler);
  }
}
