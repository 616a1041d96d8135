package io.hourglass.client.cli;

import io.hourglass.thrift.PinLaterJobInfo;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/** One job as one line of {@code key=value} fields, for lookup and scan. */
final class JobInfoFormat {
  private JobInfoFormat() {}

  static String line(PinLaterJobInfo info) {
    StringBuilder sb = new StringBuilder(info.getJobDescriptor())
        .append(" state=").append(info.getJobState())
        .append(" attempts_remaining=").append(info.getAttemptsRemaining()).append('/').append(info.getAttemptsAllowed())
        .append(" created=").append(Instant.ofEpochMilli(info.getCreatedAtTimestampMillis()));
    if (info.isSetRunAfterTimestampMillis()) {
      sb.append(" run_after=").append(Instant.ofEpochMilli(info.getRunAfterTimestampMillis()));
    }
    if (info.isSetUpdatedAtTimestampMillis()) {
      sb.append(" updated=").append(Instant.ofEpochMilli(info.getUpdatedAtTimestampMillis()));
    }
    if (info.isSetClaimDescriptor()) {
      sb.append(" claimant=").append(info.getClaimDescriptor());
    }
    sb.append(" status=").append(quoted(info.getCustomStatus()));
    if (info.isSetUniqueKey()) {
      sb.append(" unique_key=").append(quoted(info.getUniqueKey()));
    }
    if (info.isSetExpiresAtTimestampMillis()) {
      sb.append(" expires=").append(Instant.ofEpochMilli(info.getExpiresAtTimestampMillis()));
    }
    if (info.isSetBody()) {
      sb.append(" body=").append(quoted(utf8(info.bufferForBody())));
    }
    return sb.toString();
  }

  /** The job's failed attempts (EXTENSION), one indented line each, oldest first; none: empty. */
  static java.util.List<String> attempts(PinLaterJobInfo info) {
    java.util.List<String> out = new java.util.ArrayList<>();
    if (info.isSetAttempts()) {
      for (io.hourglass.thrift.PinLaterJobAttempt a : info.getAttempts()) {
        out.add("  attempt " + a.getAttempt() + " at=" + Instant.ofEpochMilli(a.getTimestampMillis())
            + " claimant=" + a.getClaimDescriptor() + " status=" + quoted(a.getStatus()));
      }
    }
    return out;
  }

  private static String utf8(ByteBuffer body) {
    ByteBuffer b = body.duplicate();
    byte[] bytes = new byte[b.remaining()];
    b.get(bytes);
    return new String(bytes, StandardCharsets.UTF_8);
  }

  private static String quoted(String s) {
    if (s == null) {
      return "\"\"";
    }
    return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + '"';
  }
}
