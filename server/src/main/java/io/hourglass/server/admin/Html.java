package io.hourglass.server.admin;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * The dashboard's HTML: one page frame and the escaping every page uses. Every value that is not
 * a literal of this code goes through {@link #esc} (text and attributes) or {@link #url}.
 */
final class Html {
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS 'UTC'")
      .withZone(ZoneOffset.UTC);
  static final List<String[]> NAV = List.of(
      new String[] {"/", "Overview"}, new String[] {"/ui/queues", "Queues"}, new String[] {"/ui/jobs", "Jobs"},
      new String[] {"/ui/shards", "Shards"}, new String[] {"/ui/maintenance", "Maintenance"});

  private Html() {}

  /** Escapes text and attribute values (both quote kinds). */
  static String esc(Object value) {
    String s = String.valueOf(value);
    StringBuilder out = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }

  static String url(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  static String time(long millis) {
    return millis <= 0 ? "—" : TIME.format(Instant.ofEpochMilli(millis));
  }

  /** A duration for people: 850 ms, 12.3 s, 4 min 5 s, 3 h 2 min, 2 d 4 h. */
  static String age(long millis) {
    if (millis <= 0) {
      return "—";
    }
    if (millis < 1000) {
      return millis + " ms";
    }
    long s = millis / 1000;
    if (s < 60) {
      return String.format(java.util.Locale.ROOT, "%.1f s", millis / 1000.0);
    }
    if (s < 3600) {
      return (s / 60) + " min " + (s % 60) + " s";
    }
    if (s < 86400) {
      return (s / 3600) + " h " + (s % 3600 / 60) + " min";
    }
    return (s / 86400) + " d " + (s % 86400 / 3600) + " h";
  }

  static String num(long n) {
    return String.format(java.util.Locale.ROOT, "%,d", n);
  }

  static String rate(double perSecond) {
    return String.format(java.util.Locale.ROOT, perSecond >= 100 ? "%.0f/s" : "%.1f/s", perSecond);
  }

  /** The shell command that does what this page shows, in a copyable box. */
  static String command(String command) {
    return "<p class=\"cmd\">Same from a shell: <code data-test=\"cli\">" + esc(command) + "</code></p>";
  }

  /** Quotes one shell word when it needs it (single quotes, POSIX). */
  static String shellWord(String word) {
    return word.matches("[A-Za-z0-9_.:/=@%+-]+") ? word : "'" + word.replace("'", "'\\''") + "'";
  }

  /**
   * A complete page. {@code refreshSeconds} > 0: app.js reloads it that often while the page is
   * idle (no form field focused, auto-refresh not switched off).
   */
  static String page(String title, String active, int refreshSeconds, String body) {
    StringBuilder nav = new StringBuilder();
    for (String[] n : NAV) {
      nav.append("<a href=\"").append(n[0]).append('"').append(n[1].equals(active) ? " class=\"on\"" : "")
          .append('>').append(n[1]).append("</a>");
    }
    return "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        + "<title>" + esc(title) + " · Hourglass</title>"
        + "<link rel=\"stylesheet\" href=\"/ui/app.css\"><script src=\"/ui/app.js\" defer></script></head>"
        + "<body data-refresh=\"" + refreshSeconds + "\"><header><strong>Hourglass</strong><nav>" + nav
        + "</nav>" + (refreshSeconds > 0
            ? "<label class=\"auto\"><input type=\"checkbox\" id=\"autorefresh\" checked> auto-refresh "
              + refreshSeconds + " s</label>" : "")
        + "</header><main><h1>" + esc(title) + "</h1>" + body + "</main></body></html>\n";
  }
}
