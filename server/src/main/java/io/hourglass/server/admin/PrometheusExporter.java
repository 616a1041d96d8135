package io.hourglass.server.admin;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.Histogram;
import com.codahale.metrics.Meter;
import com.codahale.metrics.Metric;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Snapshot;
import com.codahale.metrics.Timer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Renders the Dropwizard registry and the shards' state in the Prometheus text format (0.0.4).
 *
 * <p>Dropwizard names are dotted ({@code queue.emails.enqueued}); the segment after a known
 * prefix becomes a label, the rest the metric name, snake_cased and sanitised to
 * {@code [a-zA-Z_:][a-zA-Z0-9_:]*}: {@code hourglass_queue_enqueued_total{queue="emails"}}.
 * Counters and meters are counters ({@code _total}); timers are summaries in seconds with
 * quantiles over Dropwizard's reservoir (recent samples), whose {@code _sum} is estimated as
 * mean × count since Dropwizard keeps no exact sum; histograms are summaries; numeric gauges
 * are gauges.
 */
public final class PrometheusExporter {
  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
  private static final String PREFIX = "hourglass_";
  private static final double[] QUANTILES = {0.5, 0.75, 0.95, 0.99, 0.999};
  /** First segment → the label its next segment becomes. */
  private static final Map<String, String> LABELLED =
      Map.of("rpc", "rpc", "queue", "queue", "shard", "shard", "maintenance", "task", "config", "file");
  private static final Pattern INVALID_NAME_CHARS = Pattern.compile("[^a-zA-Z0-9_:]+");
  private static final Pattern CAMEL = Pattern.compile("([a-z0-9])([A-Z])");

  private record Family(String type, String help, List<String> samples) {}

  private final Map<String, Family> families = new TreeMap<>();

  private PrometheusExporter() {}

  public static String render(MetricRegistry registry, List<ShardStatus> shards) {
    PrometheusExporter e = new PrometheusExporter();
    registry.getMetrics().forEach(e::metric);
    shards.forEach(e::shard);
    StringBuilder out = new StringBuilder();
    e.families.forEach((name, f) -> {
      out.append("# HELP ").append(name).append(' ').append(f.help().replace("\\", "\\\\").replace("\n", "\\n")).append('\n');
      out.append("# TYPE ").append(name).append(' ').append(f.type()).append('\n');
      f.samples().forEach(s -> out.append(s).append('\n'));
    });
    return out.toString();
  }

  /** A Dropwizard name as a family name (without type suffix) and labels. */
  record Name(String family, Map<String, String> labels) {}

  static Name name(String dotted) {
    String[] parts = dotted.split("\\.");
    Map<String, String> labels = new LinkedHashMap<>();
    List<String> rest = new ArrayList<>();
    String label = LABELLED.get(parts[0]);
    if (label != null && parts.length >= 3) {
      labels.put(label, parts[1]);
      rest.add(parts[0]);
      for (int i = 2; i < parts.length; i++) {
        rest.add(parts[i]);
      }
      if (parts[0].equals("rpc") && parts.length == 4 && parts[2].equals("errors")) {
        labels.put("code", parts[3]); // rpc.<name>.errors.<CODE>
        rest.remove(rest.size() - 1);
      }
    } else {
      rest.addAll(List.of(parts));
    }
    return new Name(sanitize(PREFIX + String.join("_", rest)), labels);
  }

  static String sanitize(String name) {
    String s = CAMEL.matcher(name).replaceAll("$1_$2").toLowerCase(Locale.ROOT);
    s = INVALID_NAME_CHARS.matcher(s).replaceAll("_");
    return Character.isDigit(s.charAt(0)) ? "_" + s : s;
  }

  private void metric(String dotted, Metric m) {
    Name n = name(dotted);
    if (m instanceof Counter c) {
      sample(total(n.family()), "counter", dotted, n.labels(), c.getCount());
    } else if (m instanceof Meter meter) {
      sample(total(n.family()), "counter", dotted, n.labels(), meter.getCount());
    } else if (m instanceof Timer t) {
      summary(n.family() + "_seconds", dotted, n.labels(), t.getSnapshot(), t.getCount(), 1e-9);
    } else if (m instanceof Histogram h) {
      summary(n.family(), dotted, n.labels(), h.getSnapshot(), h.getCount(), 1);
    } else if (m instanceof Gauge<?> g) {
      Object v = g.getValue();
      if (v instanceof Number num) {
        sample(n.family(), "gauge", dotted, n.labels(), num.doubleValue());
      } else if (v instanceof Boolean b) {
        sample(n.family(), "gauge", dotted, n.labels(), b ? 1 : 0);
      }
    }
  }

  private static String total(String family) {
    return family.endsWith("_total") ? family : family + "_total";
  }

  private void summary(String family, String help, Map<String, String> labels, Snapshot s, long count, double scale) {
    for (double q : QUANTILES) {
      Map<String, String> l = new LinkedHashMap<>(labels);
      l.put("quantile", String.valueOf(q));
      sample(family, "summary", help, l, s.getValue(q) * scale);
    }
    family(family, "summary", help).samples().add(line(family + "_sum", labels, s.getMean() * count * scale));
    family(family, "summary", help).samples().add(line(family + "_count", labels, count));
  }

  private void shard(ShardStatus s) {
    Map<String, String> l = new LinkedHashMap<>();
    l.put("shard", String.valueOf(s.id()));
    sample(PREFIX + "shard_up", "gauge", "1 when the shard answers", l, s.state() == ShardStatus.State.DOWN ? 0 : 1);
    for (ShardStatus.State st : ShardStatus.State.values()) {
      Map<String, String> ls = new LinkedHashMap<>(l);
      ls.put("state", st.label());
      sample(PREFIX + "shard_state", "gauge", "1 for the shard's current state", ls, s.state() == st ? 1 : 0);
    }
    sample(PREFIX + "shard_errors_total", "counter", "failed statements and probes per shard", l, s.errors());
    sample(PREFIX + "shard_downs_total", "counter", "times the shard left rotation", l, s.downs());
    for (Map.Entry<String, Integer> e : Map.of("active", s.pool().active(), "idle", s.pool().idle(),
        "total", s.pool().total()).entrySet()) {
      Map<String, String> lp = new LinkedHashMap<>(l);
      lp.put("state", e.getKey());
      sample(PREFIX + "shard_pool_connections", "gauge", "pool connections (HikariCP)", lp, e.getValue());
    }
    sample(PREFIX + "shard_pool_waiting_threads", "gauge", "threads waiting for a pool connection", l,
        s.pool().waiting());
  }

  private void sample(String family, String type, String help, Map<String, String> labels, double value) {
    family(family, type, help).samples().add(line(family, labels, value));
  }

  private Family family(String name, String type, String help) {
    Family f = families.computeIfAbsent(name, k -> new Family(type, help, new ArrayList<>()));
    if (!f.type().equals(type)) {
      // Two Dropwizard metrics of different kinds mapped to one name: keep both, apart.
      return family(name + "_" + type, type, help);
    }
    return f;
  }

  private static String line(String name, Map<String, String> labels, double value) {
    StringBuilder sb = new StringBuilder(name);
    if (!labels.isEmpty()) {
      sb.append('{');
      boolean first = true;
      for (Map.Entry<String, String> e : labels.entrySet()) {
        sb.append(first ? "" : ",").append(e.getKey()).append("=\"").append(escape(e.getValue())).append('"');
        first = false;
      }
      sb.append('}');
    }
    return sb.append(' ').append(format(value)).toString();
  }

  private static String escape(String v) {
    return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }

  private static String format(double v) {
    if (Double.isNaN(v)) {
      return "NaN";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "+Inf" : "-Inf";
    }
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return String.valueOf((long) v);
    }
    return String.valueOf(v);
  }
}
