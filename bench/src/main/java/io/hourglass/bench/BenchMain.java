package io.hourglass.bench;

import io.hourglass.client.ClientConfig;
import io.hourglass.client.HourglassClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code scripts/bench}: the server against a raw-JDBC reference loop, on the same durable
 * shards, in one run. See README.md, "Benchmark", for what every column means.
 *
 * <p>How is this designed, and why? Everything measured runs in a process of its own: the
 * server ({@link ServerProcess}), every mariadbd ({@link ShardSet}) and this load client, so
 * {@code /proc/<pid>/stat} gives each one's CPU apart ({@link Meters}). The load client is a few
 * threads each issuing one blocking RPC at a time ({@link CellRunner}), never a thread per job,
 * and reports its own CPU per job so that it can be seen not to be the bottleneck.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Benchmarks the Hourglass server against a raw-JDBC reference loop on its own durable local shards.")
public final class BenchMain implements Callable<Integer> {
  private static final String DELETE_PASSWORD = "bench";
  /** Finagle logs through java.util.logging; its INFO lines would drown the results. Held: JUL keeps loggers weakly. */
  private static final java.util.logging.Logger FINAGLE_LOG = java.util.logging.Logger.getLogger("com.twitter");

  @Option(names = "--seconds", defaultValue = "10", description = "measured seconds per cell (default ${DEFAULT-VALUE})")
  double seconds;

  @Option(names = "--warmup", defaultValue = "3", description = "unmeasured seconds before each cell (default ${DEFAULT-VALUE})")
  double warmup;

  @Option(names = "--server-warmup", defaultValue = "30",
      description = "unmeasured seconds after each server start, a third each of 1-job enqueues, 100-job enqueues and"
          + " dequeues; then more such rounds until the server's JIT compilers take under 2%% of a core (at most"
          + " 4 more rounds) (default ${DEFAULT-VALUE})")
  double serverWarmup;

  @Option(names = "--runs", defaultValue = "1", description = "runs of every cell; the table shows medians (default ${DEFAULT-VALUE})")
  int runs;

  @Option(names = "--shards", defaultValue = "1,2", description = "shard counts to run, e.g. 1,2 (default ${DEFAULT-VALUE})")
  String shardCounts;

  @Option(names = "--scenarios", split = ",", description = "only these (with their raw references), of: "
      + "enqueue-1, enqueue-100, dequeue-piggyback, dequeue-separate, raw-insert-1, raw-insert-100, raw-claim-ack, idle")
  List<String> scenarios;

  @Option(names = "--no-raw", description = "skip the raw references that were not asked for by name")
  boolean noRaw;

  @Option(names = "--clients", defaultValue = "5", description = "concurrent clients (and raw loops) per cell (default ${DEFAULT-VALUE})")
  int clients;

  @Option(names = "--client", defaultValue = "thrift", converter = ClientKindConverter.class,
      description = "load client: thrift (plain libthrift, blocking socket) or finagle (HourglassClient) (default ${DEFAULT-VALUE})")
  Rpc.Kind clientKind;

  @Option(names = "--dequeue-limit", defaultValue = "50", description = "limit of each dequeue (default ${DEFAULT-VALUE})")
  int dequeueLimit;

  @Option(names = "--raw-claim-limit", defaultValue = "100", description = "rows per raw claim (default ${DEFAULT-VALUE})")
  int rawClaimLimit;

  @Option(names = "--body-bytes", defaultValue = "64", description = "job body size (default ${DEFAULT-VALUE})")
  int bodyBytes;

  @Option(names = "--dequeue-rate-guess", defaultValue = "25000",
      description = "jobs/s per shard a dequeue cell may reach; sizes its prefill (default ${DEFAULT-VALUE})")
  long dequeueRateGuess;

  @Option(names = "--idle-workers", defaultValue = "20", description = "long-polling workers of the idle cell (default ${DEFAULT-VALUE})")
  int idleWorkers;

  @Option(names = "--idle-wait-millis", defaultValue = "5000", description = "waitMillis of each idle dequeue (default ${DEFAULT-VALUE})")
  int idleWaitMillis;

  @Option(names = "--idle-seconds", defaultValue = "10", description = "measured seconds of the idle cell (default ${DEFAULT-VALUE})")
  double idleSeconds;

  @Option(names = "--buffer-pool", defaultValue = "1G", description = "innodb_buffer_pool_size of each shard (default ${DEFAULT-VALUE})")
  String bufferPool;

  @Option(names = "--redo-log", defaultValue = "512M", description = "innodb_log_file_size of each shard (default ${DEFAULT-VALUE})")
  String redoLog;

  @Option(names = "--base-port", defaultValue = "3407", description = "port of shard 1; shard i on base + i - 1 (default ${DEFAULT-VALUE})")
  int basePort;

  @Option(names = "--server-port", defaultValue = "9410", description = "server Thrift port; admin on the next (default ${DEFAULT-VALUE})")
  int serverPort;

  @Option(names = "--server-jar", paramLabel = "LABEL=PATH",
      description = "a server build to measure, repeatable (e.g. --server-jar before=/tmp/old.jar --server-jar after="
          + "server/target/hourglass-server.jar): each runs every server cell on the same shards in the same run, "
          + "one after the other; rows name their build (default: this checkout's server, labelled 'server')")
  List<String> serverJarSpecs = new ArrayList<>();

  @Option(names = "--server-arg", description = "server config override key=value, repeatable (e.g. pool.maxConnections=20)")
  List<String> serverArgs = new ArrayList<>();

  @Option(names = "--server-jvm-arg", description = "JVM option for the server, repeatable (e.g. -Xmx2g)")
  List<String> serverJvmArgs = new ArrayList<>();

  @Option(names = "--dir", description = "where the shards, configs and server logs live (default REPO/.bench-shards)")
  Path dir;

  @Option(names = "--repo", defaultValue = ".", description = "the repository root (default: current directory)")
  Path repo;

  static final class ClientKindConverter implements CommandLine.ITypeConverter<Rpc.Kind> {
    @Override
    public Rpc.Kind convert(String value) {
      return Rpc.Kind.valueOf(value.toUpperCase(java.util.Locale.ROOT));
    }
  }

  private final List<CellResult> results = new ArrayList<>();
  private Path work;
  private final List<IdleResult> idle = new ArrayList<>();

  private String commandLine = "scripts/bench";

  public static void main(String[] args) {
    FINAGLE_LOG.setLevel(java.util.logging.Level.WARNING);
    BenchMain bench = new BenchMain();
    bench.commandLine = commandLine(args);
    System.exit(new CommandLine(bench).execute(args));
  }

  /** The command as the user typed it, for the table's caption: {@code --repo DIR} is the script's. */
  static String commandLine(String[] args) {
    List<String> shown = new ArrayList<>(List.of("scripts/bench"));
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--repo")) {
        i++;
      } else if (!args[i].startsWith("--repo=")) {
        shown.add(args[i]);
      }
    }
    return String.join(" ", shown);
  }

  @Override
  public Integer call() throws Exception {
    repo = repo.toAbsolutePath().normalize();
    work = dir == null ? repo.resolve(".bench-shards") : dir.toAbsolutePath();
    Files.createDirectories(work);
    List<ServerJar> jars;
    try {
      jars = ServerJar.of(serverJarSpecs, repo);
    } catch (IllegalArgumentException e) {
      System.err.println("bench: " + e.getMessage());
      return 2;
    }
    if (!Files.isRegularFile(jars.get(0).path())) {
      System.err.println("bench: " + jars.get(0).path() + " is missing; build with: mvn -B -q -DskipTests package");
      return 2;
    }
    List<Integer> counts = Report.parseCounts(shardCounts);
    if (runs < 1 || seconds <= 0 || warmup < 0 || clients < 1 || counts.isEmpty() || counts.stream().anyMatch(c -> c < 1)) {
      System.err.println("bench: --runs and --clients must be at least 1, --seconds positive, --warmup not negative,"
          + " --shards a list of counts of at least 1");
      return 2;
    }
    Set<Scenario> cells = selectedCells();
    boolean idleCell = scenarios == null || scenarios.contains("idle");
    byte[] body = new byte[bodyBytes];
    Arrays.fill(body, (byte) 'x');
    String started = ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ISO_LOCAL_DATE_TIME).substring(0, 16);
    String machineAtStart = Machine.describe();
    System.out.println("bench: " + started + " UTC; " + machineAtStart);
    String hash = ServerProcess.deletePasswordHash(repo, DELETE_PASSWORD);
    int maxShards = counts.stream().max(Integer::compare).orElseThrow();
    try (ShardSet shardSet = ShardSet.start(repo, work, maxShards, basePort, bufferPool, redoLog)) {
      for (int n : counts) {
        List<ShardSet.Shard> shards = shardSet.first(n);
        for (int run = 1; run <= runs; run++) {
          try (Meters meters = new Meters(shards)) {
            for (Scenario s : cells) {
              if (s.raw()) {
                record(runCell(s, n, run, shards, meters, body));
              }
            }
          }
          boolean serverCells = cells.stream().anyMatch(s -> !s.raw()) || (idleCell && n == maxShards);
          for (ServerJar jar : serverCells ? inTurn(jars, run) : List.<ServerJar>of()) {
            runServer(jar, n, run, shards, hash, cells, idleCell && n == maxShards, body);
          }
        }
      }
    }
    printSummary(started, machineAtStart, counts, jars.stream().map(ServerJar::label).toList());
    return 0;
  }

  /**
   * The builds in the order run {@code run} (from 1) measures them: rotated by one per run, so
   * that over as many runs as builds each build goes first once. An A/A run (one build as both)
   * measured the second build 7–11% lower than the first in both of its runs (README, "Tried and
   * not kept"): a fixed order would have counted that against the second build every time.
   */
  static <T> List<T> inTurn(List<T> builds, int run) {
    List<T> out = new ArrayList<>(builds);
    Collections.rotate(out, -((run - 1) % Math.max(1, builds.size())));
    return out;
  }

  /**
   * One server build's cells of one run: a fresh server process (so builds measured in turn
   * never share a JVM's warm-up or a leftover pool), warmed up, then every selected server cell.
   */
  private void runServer(ServerJar jar, int n, int run, List<ShardSet.Shard> shards, String hash, Set<Scenario> cells,
      boolean idleCell, byte[] body) throws Exception {
    try (Meters meters = new Meters(shards);
        ServerProcess server = ServerProcess.start(jar, repo, work, shards, serverPort, hash, serverJvmArgs, serverArgs);
        HourglassClient admin = HourglassClient.connect(ClientConfig.of(server.address()).withSource("bench-admin"))) {
      meters.measureServer(server.pid());
      System.out.println("bench: " + jar.label() + " (" + jar.path() + "), " + n + " shard" + (n == 1 ? "" : "s")
          + ", run " + run + ", server pid " + server.pid());
      warmUpServer(n, server.pid(), admin, meters, body);
      CellResult peak = null;
      for (Scenario s : cells) {
        if (s.raw()) {
          continue;
        }
        double pacedJobsPerSecond = 0;
        if (s == Scenario.DEQUEUE_HALF_LOAD) {
          if (peak == null) {
            continue;
          }
          pacedJobsPerSecond = peak.jobsPerSecond() / 2;
        }
        CellResult r = record(runServerCell(s, jar.label(), n, run, admin, meters, body, pacedJobsPerSecond));
        if (s == Scenario.DEQUEUE_PIGGYBACK) {
          peak = r;
        }
      }
      if (idleCell) {
        for (int workers : List.of(0, idleWorkers)) {
          IdleResult r = runIdle(jar.label(), n, run, workers, admin, meters);
          idle.add(r);
          System.out.println(r.line(runs));
        }
      }
    }
  }

  private CellResult record(CellResult r) {
    results.add(r);
    System.out.println(r.line(runs));
    return r;
  }

  private ServerLoads.Target target() {
    return new ServerLoads.Target("127.0.0.1", serverPort, clientKind);
  }

  private Set<Scenario> selectedCells() {
    if (scenarios == null) {
      return EnumSet.allOf(Scenario.class);
    }
    Set<Scenario> set = EnumSet.noneOf(Scenario.class);
    for (String name : scenarios) {
      if (!name.equals("idle")) {
        Scenario s = Scenario.ofCliName(name);
        set.add(s);
        if (s == Scenario.DEQUEUE_HALF_LOAD) {
          set.add(Scenario.DEQUEUE_PIGGYBACK); // its peak sets the pace
        }
        if (!noRaw) {
          s.reference().ifPresent(set::add);
        }
      }
    }
    return set;
  }

  private long prefillPerShard() {
    return (long) Math.ceil(dequeueRateGuess * (warmup + seconds));
  }

  /** A raw reference cell: no server, straight to the shards, on an emptied table. */
  private CellResult runCell(Scenario s, int n, int run, List<ShardSet.Shard> shards, Meters meters, byte[] body)
      throws Exception {
    RawLoads.reset(shards);
    Loop.Factory loops = switch (s) {
      case RAW_INSERT_1 -> RawLoads.insert(shards, 1, body);
      case RAW_INSERT_100 -> RawLoads.insert(shards, 100, body);
      case RAW_CLAIM_ACK -> {
        RawLoads.prefill(shards, prefillPerShard(), body);
        yield RawLoads.claimAck(shards, rawClaimLimit);
      }
      default -> throw new IllegalStateException(s.name());
    };
    try {
      return CellResult.of(s, "", n, run, CellRunner.run(loops, clients, warmup, seconds, meters));
    } finally {
      RawLoads.reset(shards);
    }
  }

  /**
   * A server cell on a fresh queue (created, then deleted). {@code pacedJobsPerSecond} above 0
   * paces the dequeue clients to that total rate.
   */
  private CellResult runServerCell(Scenario s, String server, int n, int run, HourglassClient admin, Meters meters,
      byte[] body, double pacedJobsPerSecond) throws Exception {
    String queue = "bench_" + s.cliName().replace('-', '_') + "_" + n + "_" + run;
    admin.createQueue(queue);
    try {
      Loop.Factory loops = switch (s) {
        case RPC_FLOOR -> ServerLoads.queueNames(target());
        case ENQUEUE_1 -> ServerLoads.enqueue(target(), queue, 1, body);
        case ENQUEUE_100 -> ServerLoads.enqueue(target(), queue, 100, body);
        case DEQUEUE_PIGGYBACK, DEQUEUE_SEPARATE, DEQUEUE_HALF_LOAD -> {
          ServerLoads.prefill(target(), queue, prefillPerShard() * n, clients, body);
          double callsPerSecond = pacedJobsPerSecond / clients / dequeueLimit;
          yield ServerLoads.dequeueAck(target(), queue, dequeueLimit, s != Scenario.DEQUEUE_SEPARATE, callsPerSecond,
              clients);
        }
        default -> throw new IllegalStateException(s.name());
      };
      return CellResult.of(s, server, n, run, CellRunner.run(loops, clients, warmup, seconds, meters));
    } finally {
      admin.deleteQueue(queue, DELETE_PASSWORD);
    }
  }

  /**
   * A third of the time each on 1-job enqueues, 100-job enqueues and piggy-backed dequeues, as
   * often as it takes for the JIT to compile every path a cell takes before any is measured (a
   * server runs for days; its first minute of compiling is not its speed). Measured on this
   * machine: the compiler threads took a whole core for the first 30 s and finished about 50 s
   * after start; a cell measured before then counted up to a third of the server's CPU as JIT.
   */
  private void warmUpServer(int n, long serverPid, HourglassClient admin, Meters meters, byte[] body) throws Exception {
    if (serverWarmup <= 0) {
      return;
    }
    String queue = "bench_warmup_" + n;
    admin.createQueue(queue);
    try {
      double third = serverWarmup / 3;
      long started = System.nanoTime();
      for (int round = 1; ; round++) {
        long compilerBefore = ProcCpu.compilerMicros(serverPid);
        long roundStart = System.nanoTime();
        CellRunner.run(ServerLoads.enqueue(target(), queue, 1, body), clients, third, 0, meters);
        CellRunner.run(ServerLoads.enqueue(target(), queue, 100, body), clients, third, 0, meters);
        CellRunner.run(ServerLoads.dequeueAck(target(), queue, dequeueLimit, true, 0, clients), clients, third, 0, meters);
        double share = (ProcCpu.compilerMicros(serverPid) - compilerBefore) / 1000.0 / ((System.nanoTime() - roundStart) / 1e6);
        if (share < JIT_QUIET_SHARE || round > MAX_EXTRA_WARMUP_ROUNDS) {
          System.out.printf("bench: server warmed up for %.0f s (%d round%s); JIT compilers took %.1f%% of a core in the last%s%n",
              (System.nanoTime() - started) / 1e9, round, round == 1 ? "" : "s", share * 100,
              share < JIT_QUIET_SHARE ? "" : " (still compiling: its cells count that CPU too)");
          return;
        }
      }
    } finally {
      admin.deleteQueue(queue, DELETE_PASSWORD);
    }
  }

  private static final double JIT_QUIET_SHARE = 0.02;
  private static final int MAX_EXTRA_WARMUP_ROUNDS = 4;

  /** {@code workers} = 0 measures what the server sends by itself (health probes, heartbeats, leftover polls). */
  private IdleResult runIdle(String server, int n, int run, int workers, HourglassClient admin, Meters meters)
      throws Exception {
    String queue = "bench_idle_" + workers + "_" + run;
    admin.createQueue(queue);
    try {
      CellRunner.Window w = CellRunner.run(ServerLoads.longPoll(target(), queue, dequeueLimit, idleWaitMillis),
          workers, Math.min(warmup, 2), idleSeconds, meters);
      return IdleResult.of(server, n, run, workers, idleWaitMillis, w);
    } finally {
      admin.deleteQueue(queue, DELETE_PASSWORD);
    }
  }

  private void printSummary(String started, String machineAtStart, List<Integer> counts, List<String> servers) {
    System.out.println();
    System.out.printf("Benchmark %s UTC, `%s` (medians of %d run%s; fsync on, "
            + "buffer pool %s, redo log %s, %d clients over %s, dequeue limit %d, %d-byte bodies).%n",
        started, commandLine, runs, runs == 1 ? "" : "s", bufferPool, redoLog, clients,
        clientKind.name().toLowerCase(java.util.Locale.ROOT), dequeueLimit, bodyBytes);
    System.out.println("Machine at start: " + machineAtStart + "; at end: " + Machine.loadAverage() + ".");
    System.out.println();
    System.out.print(Report.markdown(results, counts, servers));
    List<String> scaling = Report.scaling(results, counts, servers);
    if (!scaling.isEmpty()) {
      System.out.println();
      scaling.forEach(l -> System.out.println("- " + l));
    }
    List<String> ceilings = Report.ceilings(results, counts, servers, Runtime.getRuntime().availableProcessors());
    if (!ceilings.isEmpty()) {
      System.out.println();
      System.out.println("CPU bounds (cores ÷ CPU per job):");
      ceilings.forEach(l -> System.out.println("- " + l));
    }
    if (!idle.isEmpty()) {
      System.out.println();
      System.out.print(Report.idleMarkdown(idle, servers));
    }
    long dry = results.stream().filter(r -> r.empties() > 0).count();
    if (dry > 0) {
      System.out.println();
      System.out.println("WARNING: " + dry + " dequeue cell(s) ran dry (empty answers); raise --dequeue-rate-guess.");
    }
  }
}
