package io.hourglass.server.queue;

/** Sizes that are part of the API contract; documented in the IDL. */
public final class Limits {
  /** Custom status is truncated to this many characters, never rejected. */
  public static final int CUSTOM_STATUS_MAX_CHARS = 1000;
  /** The claimant (RequestContext.source) is stored truncated to this many characters. */
  public static final int CLAIMANT_MAX_CHARS = 200;
  /** A job body may be at most this many bytes (MEDIUMBLOB). */
  public static final int BODY_MAX_BYTES = 16 * 1024 * 1024 - 1;

  private Limits() {}

  public static String truncate(String s, int maxChars) {
    if (s == null) {
      return "";
    }
    return s.length() <= maxChars ? s : s.substring(0, maxChars);
  }
}
