package io.hourglass.server.edge;

import com.twitter.util.AbstractMonitor;
import org.apache.thrift.TException;

/**
 * Finagle's monitor for the Thrift server. Finagle reads every message header itself (to spot its
 * TTwitter upgrade) before the dispatcher sees it, and by default logs each failure there with a
 * stack trace: a flood of bad frames became a flood of log lines. Thrift decoding errors go to the
 * rate-limited {@link MalformedRequestLog} instead (the connection is closed all the same);
 * everything else is left to Finagle's default monitor.
 */
final class MalformedInputMonitor extends AbstractMonitor {
  private final MalformedRequestLog log;

  MalformedInputMonitor(MalformedRequestLog log) {
    this.log = log;
  }

  @Override
  public boolean handle(Throwable t) {
    if (t instanceof TException) {
      log.report(t.toString());
      return true;
    }
    return false;
  }
}
