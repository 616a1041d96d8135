package io.hourglass.server.queue;

/** Sizes that are part of the API contract; documented in the IDL. */
public final class Limits {
  /** Custom status is truncated to this many characters (code points), never rejected. */
  public static final int CUSTOM_STATUS_MAX_CHARS = 1000;
  /** The claimant (RequestContext.source) is stored truncated to this many characters. */
  public static final int CLAIMANT_MAX_CHARS = 200;
  /** A job body may be at most this many bytes (MEDIUMBLOB). */
  public static final int BODY_MAX_BYTES = 16 * 1024 * 1024 - 1;

  private Limits() {}

  /**
   * The first {@code maxChars} characters, counted as Unicode code points like the utf8mb4 column
   * that stores them: an emoji is one character, and a cut never splits a surrogate pair.
   */
  public static String truncate(String s, int maxChars) {
    if (s == null) {
      return "";
    }
    if (s.length() <= maxChars || s.codePointCount(0, s.length()) <= maxChars) {
      return s;
    }
    return s.substring(0, s.offsetByCodePoints(0, maxChars));
  }
}
