package io.hourglass.testing;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict parser of the Prometheus text format 0.0.4: every line is a HELP, a TYPE or a sample;
 * every sample belongs to the family TYPE'd just before it (with the suffixes its type allows);
 * no family is typed twice, no series appears twice; histogram buckets never decrease and the
 * {@code +Inf} bucket equals {@code _count}. Throws {@link IllegalArgumentException} naming the
 * line otherwise.
 */
public final class PrometheusText {
  private static final Pattern SAMPLE = Pattern.compile(
      "([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\\\n]|\\\\.)*\""
          + "(?:,[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\\\n]|\\\\.)*\")*,?})? (-?[0-9.eE+-]+|NaN|[+-]Inf)( -?[0-9]+)?");
  private static final Pattern TYPE = Pattern.compile("# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|summary|histogram|untyped)");
  private static final Pattern HELP = Pattern.compile("# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) .*");
  private static final Map<String, List<String>> SUFFIXES = Map.of(
      "counter", List.of("", "_total", "_created"), "gauge", List.of(""), "untyped", List.of(""),
      "summary", List.of("", "_sum", "_count", "_created"),
      "histogram", List.of("_bucket", "_sum", "_count", "_created"));

  /** series ({@code name{labels}} as written) → value; and family → type. */
  public record Scrape(Map<String, Double> series, Map<String, String> types) {
    public double value(String series) {
      Double v = series().get(series);
      if (v == null) {
        throw new AssertionError("no series " + series);
      }
      return v;
    }

    /** Sum over the series whose text starts with {@code prefix}. */
    public double sum(String prefix) {
      return series.entrySet().stream().filter(e -> e.getKey().startsWith(prefix)).mapToDouble(Map.Entry::getValue).sum();
    }

    public long count(String prefix) {
      return series.keySet().stream().filter(k -> k.startsWith(prefix)).count();
    }
  }

  private PrometheusText() {}

  public static Scrape parse(String text) {
    Map<String, Double> series = new LinkedHashMap<>();
    Map<String, String> types = new HashMap<>();
    String family = null;
    String type = null;
    Map<String, Double> lastBucket = new HashMap<>();
    int n = 0;
    for (String line : text.split("\n")) {
      n++;
      if (line.isEmpty()) {
        continue;
      }
      if (line.startsWith("# HELP")) {
        require(HELP.matcher(line).matches(), n, line, "malformed HELP");
        continue;
      }
      Matcher t = TYPE.matcher(line);
      if (t.matches()) {
        require(types.put(t.group(1), t.group(2)) == null, n, line, "TYPE given twice");
        family = t.group(1);
        type = t.group(2);
        continue;
      }
      require(!line.startsWith("#"), n, line, "unknown comment");
      Matcher m = SAMPLE.matcher(line);
      require(m.matches(), n, line, "not a sample");
      require(family != null, n, line, "sample before any TYPE");
      String name = m.group(1);
      String suffix = name.startsWith(family) ? name.substring(family.length()) : null;
      require(suffix != null && SUFFIXES.get(type).contains(suffix), n, line, "outside its family " + family);
      String labels = m.group(2) == null ? "" : m.group(2);
      double value = parseValue(m.group(3));
      String key = name + labels;
      require(series.put(key, value) == null, n, line, "series given twice");
      if (type.equals("histogram") && suffix.equals("_bucket")) {
        String group = labels.replaceAll(",?le=\"[^\"]*\"", "");
        Double before = lastBucket.put(group, value);
        require(before == null || value >= before, n, line, "bucket below the previous one");
        if (labels.contains("le=\"+Inf\"")) {
          lastBucket.remove(group);
          series.put(name.replace("_bucket", "") + "_inf" + group, value);
        }
      }
    }
    types.forEach((f, ty) -> {
      if (ty.equals("histogram")) {
        series.keySet().stream().filter(k -> k.startsWith(f + "_count")).toList().forEach(k -> {
          String group = k.substring((f + "_count").length());
          Double inf = series.remove(f + "_inf" + group);
          if (inf == null || !inf.equals(series.get(k))) {
            throw new IllegalArgumentException(f + group + ": +Inf bucket " + inf + " is not _count " + series.get(k));
          }
        });
      }
    });
    return new Scrape(Map.copyOf(series), Map.copyOf(types));
  }

  private static double parseValue(String v) {
    return switch (v) {
      case "+Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      case "NaN" -> Double.NaN;
      default -> Double.parseDouble(v);
    };
  }

  private static void require(boolean ok, int line, String text, String problem) {
    if (!ok) {
      throw new IllegalArgumentException("line " + line + ": " + problem + ": " + text);
    }
  }
}
