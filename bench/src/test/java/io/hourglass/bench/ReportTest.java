package io.hourglass.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ReportTest {
  @Test
  void buildsTakeTurnsGoingFirstFromRunToRun() {
    List<String> builds = List.of("before", "after");
    assertEquals(List.of("before", "after"), BenchMain.inTurn(builds, 1));
    assertEquals(List.of("after", "before"), BenchMain.inTurn(builds, 2));
    assertEquals(List.of("before", "after"), BenchMain.inTurn(builds, 3));
    assertEquals(List.of("b", "c", "a"), BenchMain.inTurn(List.of("a", "b", "c"), 2));
    assertEquals(List.of("only"), BenchMain.inTurn(List.of("only"), 5));
  }

  @Test
  void medianOfAnOddCountIsTheMiddleValue() {
    assertEquals(5.0, Report.median(List.of(9.0, 1.0, 5.0)));
  }

  @Test
  void medianOfAnEvenCountIsTheMeanOfTheMiddleTwo() {
    assertEquals(4.0, Report.median(List.of(9.0, 1.0, 3.0, 5.0)));
  }

  @Test
  void medianSkipsCellsWithoutAValue() {
    assertEquals(2.0, Report.median(List.of(Double.NaN, 2.0)));
    assertTrue(Double.isNaN(Report.median(List.of(Double.NaN))));
  }

  @Test
  void serverRowIsComparedWithTheRawReferenceOnTheSameShardCount() {
    List<CellResult> cells = List.of(
        cell(Scenario.DEQUEUE_PIGGYBACK, 1, 3000), cell(Scenario.RAW_CLAIM_ACK, 1, 6000),
        cell(Scenario.DEQUEUE_PIGGYBACK, 2, 9000), cell(Scenario.RAW_CLAIM_ACK, 2, 4500));
    String table = Report.markdown(cells, List.of(1, 2), List.of("server"));
    assertTrue(table.contains("| 1 | dequeue + ack, acks piggy-backed | 3,000 |"), table);
    assertTrue(table.lines().anyMatch(l -> l.startsWith("| 1 | dequeue + ack, acks piggy-backed") && l.endsWith("| 0.50× |")), table);
    assertTrue(table.lines().anyMatch(l -> l.startsWith("| 2 | dequeue + ack, acks piggy-backed") && l.endsWith("| 2.00× |")), table);
    assertEquals(List.of("dequeue + ack, acks piggy-backed: 2 shards / 1 shard = 3.00×",
        "raw: SKIP LOCKED claim 100 + UPDATE … IN ack: 2 shards / 1 shard = 0.75×"), Report.scaling(cells, List.of(1, 2), List.of("server")));
  }

  @Test
  void twoServerBuildsGetARowEachAgainstTheOneRawReferenceTheyShare() {
    List<CellResult> cells = List.of(
        cell(Scenario.DEQUEUE_PIGGYBACK, "before", 1, 3000), cell(Scenario.DEQUEUE_PIGGYBACK, "after", 1, 7500),
        cell(Scenario.RAW_CLAIM_ACK, "", 1, 6000));
    List<String> rows = Report.markdown(cells, List.of(1), List.of("before", "after")).lines().skip(2).toList();
    assertEquals(3, rows.size(), String.join("\n", rows));
    assertTrue(rows.get(0).startsWith("| 1 | dequeue + ack, acks piggy-backed [before] | 3,000 |") && rows.get(0).endsWith("| 0.50× |"), rows.get(0));
    assertTrue(rows.get(1).startsWith("| 1 | dequeue + ack, acks piggy-backed [after] | 7,500 |") && rows.get(1).endsWith("| 1.25× |"), rows.get(1));
    assertTrue(rows.get(2).startsWith("| 1 | raw: SKIP LOCKED claim 100"), rows.get(2));
  }

  @Test
  void aServerRowsCpuBoundIsTheCoresOverItsCpuPerJobComparedWithTheRawRowsRate() {
    // server row: 30 + 200 + 5 = 235 µs per job → 2 cores move at most 8,511 jobs/s;
    // raw row: 200 + 5 = 205 µs → at most 9,756, and it reached 6,000 (61.5%).
    List<CellResult> cells = List.of(cell(Scenario.DEQUEUE_PIGGYBACK, 1, 3000), cell(Scenario.RAW_CLAIM_ACK, 1, 6000));
    assertEquals(List.of("1 shard, dequeue + ack, acks piggy-backed: 235 µs of CPU per job → at most 8,511 jobs/s on 2 cores"
        + " = 1.42× the raw row's 6,000 (the raw row: 205 µs per job, at most 9,756, reached 62% of it)"),
        Report.ceilings(cells, List.of(1), List.of("server"), 2));
  }

  @Test
  void theJitCompilerThreadsOfALiveJvmAreFoundAndHaveUsedCpu() {
    assertTrue(ProcCpu.compilerMicros(ProcessHandle.current().pid()) > 0,
        "this JVM compiled its test classes' callers, on C1/C2 compiler threads");
  }

  @Test
  void idleTableShowsTheServersOwnStatementsBeforeTheWorkers() {
    String table = Report.idleMarkdown(List.of(
        new IdleResult("server", 2, 1, 20, 5000, 150, 9, 4, 1, 4), new IdleResult("server", 2, 1, 0, 5000, 3, 1, 1, 0, 0)),
        List.of("server"));
    List<String> rows = table.lines().skip(2).toList();
    assertEquals(List.of("| no workers (the server's own statements) | 2 | 3.0 | 1.0 | 1.0 | 0.0 | 0.0 |",
        "| 20 workers, waitMillis 5000 | 2 | 150.0 | 9.0 | 4.0 | 1.0 | 4.0 |"), rows);
  }

  @Test
  void cpuTicksAreReadAfterACommandNameWithSpacesAndParentheses() {
    String stat = "4242 (my (odd) cmd) S 1 4242 4242 0 -1 4194304 100 0 0 0 250 50 0 0 20 0 30 0 100 0 0";
    assertEquals(300, ProcCpu.parseTicks(stat));
  }

  @Test
  void captionShowsTheCommandWithoutTheScriptsOwnRepoArgument() {
    assertEquals("scripts/bench --seconds 10 --runs 3",
        BenchMain.commandLine(new String[] {"--repo", "/work/x", "--seconds", "10", "--runs", "3"}));
  }

  private static CellResult cell(Scenario s, int shards, double jobsPerSecond) {
    return cell(s, s.raw() ? "" : "server", shards, jobsPerSecond);
  }

  private static CellResult cell(Scenario s, String server, int shards, double jobsPerSecond) {
    return new CellResult(s, server, shards, 1, jobsPerSecond, 1, 2, s.raw() ? Double.NaN : 30, 200, 5, 0.1, 0, 0);
  }
}
