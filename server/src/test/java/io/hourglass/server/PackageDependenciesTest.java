package io.hourglass.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hourglass.testing.Repo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The server's packages depend on each other one way, as the folder tree shows: the root
 * ({@code HourglassServer}, {@code Main}, {@code ShardRegistry}) assembles the rest and nothing
 * names it, only the root starts the Thrift edge ({@code edge/}), and no packages import each
 * other in a loop. Read from the main sources' imports and qualified names (comments and string
 * literals left out), Java and Scala.
 */
class PackageDependenciesTest {
  private static final String ROOT = "io.hourglass.server";
  private static final String EDGE = ROOT + ".edge";
  private static final Pattern PACKAGE = Pattern.compile("^package\\s+([\\w.]+)", Pattern.MULTILINE);
  /** Comments, string and char literals: their words are no dependency. */
  private static final Pattern NOT_CODE = Pattern.compile(
      "'(?:\\\\.|[^'\\\\])'|\"(?:\\\\.|[^\"\\\\])*\"|/\\*.*?\\*/|//[^\\n]*", Pattern.DOTALL);
  private static final Pattern NAME = Pattern.compile("\\bio\\.hourglass\\.server(?:\\.\\w+)*");

  /** Package → the other server packages its main sources name. */
  static final Map<String, Set<String>> USES = new TreeMap<>();

  @BeforeAll
  static void read() throws IOException {
    Path main = Repo.root().resolve("server/src/main");
    Map<Path, String> sources = new TreeMap<>();
    try (Stream<Path> files = Files.walk(main)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java") || p.toString().endsWith(".scala")).toList()) {
        sources.put(f, Files.readString(f));
      }
    }
    for (String source : sources.values()) {
      USES.computeIfAbsent(packageOf(source), k -> new TreeSet<>());
    }
    for (String source : sources.values()) {
      String from = packageOf(source);
      Matcher m = NAME.matcher(NOT_CODE.matcher(source).replaceAll(" "));
      while (m.find()) {
        String to = longestPackage(m.group());
        if (!to.equals(from)) {
          USES.get(from).add(to);
        }
      }
    }
    assertTrue(USES.containsKey(EDGE) && USES.size() > 5, "read " + USES.keySet() + " under " + main);
  }

  private static String packageOf(String source) {
    Matcher m = PACKAGE.matcher(source);
    assertTrue(m.find(), "a source without a package line");
    return m.group(1);
  }

  /** The package a qualified name is in: the longest known package it starts with. */
  private static String longestPackage(String name) {
    String p = name;
    while (!USES.containsKey(p)) {
      p = p.substring(0, p.lastIndexOf('.'));
    }
    return p;
  }

  @Test
  void noPackageNamesTheRoot() {
    USES.forEach((from, to) -> assertFalse(to.contains(ROOT), from + " names the root package, which only assembles"));
  }

  @Test
  void onlyTheRootStartsTheEdge() {
    List<String> users = new ArrayList<>();
    USES.forEach((from, to) -> {
      if (to.contains(EDGE)) {
        users.add(from);
      }
    });
    assertEquals(List.of(ROOT), users);
  }

  @Test
  void noPackagesImportEachOtherInALoop() {
    Set<String> done = new TreeSet<>();
    for (String p : USES.keySet()) {
      List<String> loop = loopFrom(p, new ArrayList<>(), done);
      assertTrue(loop.isEmpty(), "import loop: " + String.join(" -> ", loop));
    }
  }

  /** A loop reachable from {@code p} (its packages, first one repeated at the end), else empty. */
  private static List<String> loopFrom(String p, List<String> path, Set<String> done) {
    int seen = path.indexOf(p);
    if (seen >= 0) {
      List<String> loop = new ArrayList<>(path.subList(seen, path.size()));
      loop.add(p);
      return loop;
    }
    if (done.contains(p)) {
      return List.of();
    }
    path.add(p);
    for (String next : USES.get(p)) {
      List<String> loop = loopFrom(next, path, done);
      if (!loop.isEmpty()) {
        return loop;
      }
    }
    path.remove(path.size() - 1);
    done.add(p);
    return List.of();
  }
}
