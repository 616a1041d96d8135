package io.hourglass.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.hourglass.testing.Repo;
import java.nio.file.Files;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The README's server-config table lists every key with its real default, and nothing else. */
class ServerConfigDocsTest {
  /** {@code | `key` | `default` | …} or, for an empty default, {@code | `key` | *(explanation)* | …}. */
  private static final Pattern ROW = Pattern.compile("^\\| `([a-zA-Z.]+)` \\| (`[^`]*`|\\*\\([^)]*\\)\\*)", Pattern.MULTILINE);

  @Test
  void readmeTableMatchesTheDefaults() throws Exception {
    String readme = Files.readString(Repo.root().resolve("README.md"));
    int start = readme.indexOf("## Server config");
    String table = readme.substring(start, readme.indexOf("\n## ", start));
    Map<String, String> documented = new TreeMap<>();
    Matcher m = ROW.matcher(table);
    while (m.find()) {
      String value = m.group(2);
      documented.put(m.group(1), value.startsWith("*") || value.equals("`\"\"`") ? "" : value.substring(1, value.length() - 1));
    }
    assertEquals(new TreeMap<>(ServerConfig.DEFAULTS), documented);
  }
}
