package io.hourglass.fuzz;

import io.hourglass.thrift.PinLater;
import io.hourglass.thrift.PinLaterException;
import io.hourglass.thrift.RequestContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.thrift.protocol.TBinaryProtocol;
import org.apache.thrift.transport.TSocket;
import org.apache.thrift.transport.TTransport;
import org.apache.thrift.transport.layered.TFramedTransport;

/**
 * The soak's load and sampler (scripts/soak starts the shards and the server process): steady
 * enqueue → dequeue → ack from three clients ({@link NormalLoad}, paced), a trickle of fuzz frames
 * ({@link FuzzRun}) over two connections, and every {@code --sample-seconds} the server's RSS
 * ({@code /proc/<pid>/status} VmRSS) and its heap after a full GC ({@code jcmd <pid> GC.run}, then
 * {@code GC.heap_info}). At the end: the growth from the first to the last window (5 minutes, or a
 * fifth of a shorter run) of each, and a verdict; exit 1 if either grew beyond its bound, a normal
 * request failed, or a fuzz answer was rejected.
 *
 * <p>{@code --address HOST:PORT --pid PID [--minutes M] [--sample-seconds S] [--heap-bound-mib H]
 * [--rss-bound-mib R] [--fuzz-per-second F]}
 */
public final class SoakLoad {
  private static final Pattern HEAP_USED = Pattern.compile("heap\\s+total\\s+\\d+K, used (\\d+)K");
  private static final Pattern VM_RSS = Pattern.compile("VmRSS:\\s+(\\d+) kB");
  /** The server's defaults (ServerConfig), which the oracle decodes with. */
  private static final int MAX_FRAME_BYTES = 17 * 1024 * 1024;
  private static final int MAX_STRING_BYTES = 32 * 1024 * 1024;
  private static final int MAX_CONTAINER_ITEMS = 100_000;

  private record Sample(long seconds, long rssKib, long heapKib, long served, long failed, long fuzzFrames,
      long rejected) {}

  private SoakLoad() {}

  public static void main(String[] argv) throws Exception {
    String address = null;
    long pid = -1;
    double minutes = 30;
    int sampleSeconds = 30;
    long heapBoundMib = 64;
    long rssBoundMib = 256;
    int fuzzPerSecond = 20;
    for (int i = 0; i < argv.length; i += 2) {
      String v = argv[i + 1];
      switch (argv[i]) {
        case "--address" -> address = v;
        case "--pid" -> pid = Long.parseLong(v);
        case "--minutes" -> minutes = Double.parseDouble(v);
        case "--sample-seconds" -> sampleSeconds = Integer.parseInt(v);
        case "--heap-bound-mib" -> heapBoundMib = Long.parseLong(v);
        case "--rss-bound-mib" -> rssBoundMib = Long.parseLong(v);
        case "--fuzz-per-second" -> fuzzPerSecond = Integer.parseInt(v);
        default -> throw new IllegalArgumentException("unknown argument " + argv[i]);
      }
    }
    if (address == null || pid < 0) {
      throw new IllegalArgumentException("--address HOST:PORT and --pid PID are required");
    }
    String host = address.substring(0, address.lastIndexOf(':'));
    int port = Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
    // the clients' Finagle logs its start-up at INFO; keep the table readable
    java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
    createQueues(host, port);

    NormalLoad normal = new NormalLoad(host, port, 2, 20);
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong fuzzFrames = new AtomicLong();
    AtomicLong rejected = new AtomicLong();
    List<String> rejections = new java.util.concurrent.CopyOnWriteArrayList<>();
    long seed = System.nanoTime();
    int perSecond = fuzzPerSecond;
    Thread fuzzer = new Thread(() -> {
      long batch = 0;
      while (!stop.get()) {
        long started = System.nanoTime();
        try {
          FuzzRun.Report r = new FuzzRun(new FuzzCampaign.Settings(host, port, perSecond, 2, seed + 1000 * batch++,
              MAX_FRAME_BYTES, MAX_STRING_BYTES, MAX_CONTAINER_ITEMS)).run();
          fuzzFrames.addAndGet(r.sent());
          rejected.addAndGet(r.rejected());
          if (rejections.size() < 20) {
            rejections.addAll(r.failures());
          }
          long left = 1000 - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
          if (left > 0) {
            Thread.sleep(left);
          }
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "soak-fuzzer");
    normal.start();
    fuzzer.start();

    System.out.printf("soak: %s, server pid %d, %.1f min, a sample every %d s, fuzz seed %d (+1000 per batch)%n",
        address, pid, minutes, sampleSeconds, seed);
    System.out.printf("%8s %10s %16s %10s %7s %10s %9s%n", "t (s)", "RSS (MiB)", "heap after GC", "served",
        "failed", "fuzz", "rejected");
    List<Sample> samples = new ArrayList<>();
    long start = System.nanoTime();
    long end = start + (long) (minutes * 60e9);
    while (true) {
      Sample s = sample(pid, (System.nanoTime() - start) / 1_000_000_000L, normal, fuzzFrames.get(), rejected.get());
      samples.add(s);
      System.out.printf("%8d %10.1f %12.1f MiB %10d %7d %10d %9d%n", s.seconds(), s.rssKib() / 1024.0,
          s.heapKib() / 1024.0, s.served(), s.failed(), s.fuzzFrames(), s.rejected());
      long next = start + samples.size() * sampleSeconds * 1_000_000_000L;
      if (next > end) {
        break;
      }
      Thread.sleep(Math.max(0, TimeUnit.NANOSECONDS.toMillis(next - System.nanoTime())));
    }
    stop.set(true);
    fuzzer.join(60_000);
    normal.close();

    long windowSeconds = (long) Math.min(300, minutes * 60 / 5);
    long last = samples.get(samples.size() - 1).seconds();
    double heapFirst = mean(samples, true, 0, windowSeconds);
    double heapLast = mean(samples, true, last - windowSeconds, last);
    double rssFirst = mean(samples, false, 0, windowSeconds);
    double rssLast = mean(samples, false, last - windowSeconds, last);
    double heapGrowth = (heapLast - heapFirst) / 1024;
    double rssGrowth = (rssLast - rssFirst) / 1024;
    System.out.printf("growth, mean of the last %d s vs the first %d s: heap after GC %.1f → %.1f MiB (%+.1f MiB, "
        + "bound %d), RSS %.1f → %.1f MiB (%+.1f MiB, bound %d)%n", windowSeconds, windowSeconds, heapFirst / 1024,
        heapLast / 1024, heapGrowth, heapBoundMib, rssFirst / 1024, rssLast / 1024, rssGrowth, rssBoundMib);
    System.out.printf("normal requests: %d served, %d failed; fuzz frames: %d sent, %d answers rejected%n",
        normal.served(), normal.failed(), fuzzFrames.get(), rejected.get());
    normal.failures().forEach(f -> System.out.println("  normal failure: " + f));
    rejections.forEach(f -> System.out.println("  fuzz rejection: " + f));
    boolean ok = heapGrowth <= heapBoundMib && rssGrowth <= rssBoundMib && normal.failed() == 0
        && rejected.get() == 0 && normal.served() > 0;
    System.out.println("verdict: " + (ok ? "PASS" : "FAIL"));
    System.exit(ok ? 0 : 1);
  }

  private static void createQueues(String host, int port) throws Exception {
    TTransport t = new TFramedTransport(new TSocket(host, port, 30_000));
    t.open();
    try {
      PinLater.Client c = new PinLater.Client(new TBinaryProtocol(t));
      RequestContext ctx = new RequestContext().setSource("soak");
      for (String q : FuzzCampaign.QUEUES) {
        try {
          c.createQueue(ctx, q);
        } catch (PinLaterException exists) {
          // from an earlier run over the same shards
        }
      }
    } finally {
      t.close();
    }
  }

  private static double mean(List<Sample> samples, boolean heap, long from, long to) {
    return samples.stream().filter(s -> s.seconds() >= from && s.seconds() <= to)
        .mapToLong(s -> heap ? s.heapKib() : s.rssKib()).average().orElse(Double.NaN);
  }

  private static Sample sample(long pid, long seconds, NormalLoad normal, long fuzz, long rejected)
      throws IOException, InterruptedException {
    jcmd(pid, "GC.run");
    Matcher heap = HEAP_USED.matcher(jcmd(pid, "GC.heap_info"));
    Matcher rss = VM_RSS.matcher(Files.readString(Path.of("/proc/" + pid + "/status")));
    if (!heap.find() || !rss.find()) {
      throw new IllegalStateException("cannot read the heap or RSS of process " + pid);
    }
    return new Sample(seconds, Long.parseLong(rss.group(1)), Long.parseLong(heap.group(1)), normal.served(),
        normal.failed(), fuzz, rejected);
  }

  private static String jcmd(long pid, String command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder("jcmd", String.valueOf(pid), command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IllegalStateException("jcmd " + pid + " " + command + " failed: " + out);
    }
    return out;
  }
}
