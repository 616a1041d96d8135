package io.hourglass.server.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hourglass.server.metrics.ServerMetrics;
import io.hourglass.server.config.PoolSettings;
import io.hourglass.server.config.ShardSpec;
import io.hourglass.server.mysql.MySqlBackend;
import io.hourglass.server.queue.Ack;
import io.hourglass.server.queue.ClaimedJob;
import io.hourglass.server.queue.Coordinator;
import io.hourglass.server.queue.DequeueRequest;
import io.hourglass.server.queue.EmptySlotCache;
import io.hourglass.server.queue.JobFilter;
import io.hourglass.server.queue.JobInfo;
import io.hourglass.server.queue.JobState;
import io.hourglass.server.queue.NewJob;
import io.hourglass.server.queue.QueueAdmin;
import io.hourglass.server.queue.QueueName;
import io.hourglass.server.queue.Schedule;
import io.hourglass.server.queue.ScheduleSpec;
import io.hourglass.server.queue.Shard;
import io.hourglass.testing.LocalShards;
import io.hourglass.testing.MutableClock;
import io.hourglass.testing.TestServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Schedule ticks on real MariaDB shards, with two "servers" (each its own pools, coordinator
 * and ticker) sharing three shards and one hand-moved clock.
 */
class ScheduleTickerTest {
  static final Duration POLL = Duration.ofSeconds(1);
  final MutableClock clock = MutableClock.startingNow();
  final String database = TestServer.newDatabase();
  final QueueName queue = QueueName.of("ticks");
  final List<Node> nodes = new ArrayList<>();

  /** One server's view of the shards. */
  final class Node implements AutoCloseable {
    final List<Shard> shards = new ArrayList<>();
    final Coordinator coordinator;
    final Schedules schedules;
    final ScheduleTicker ticker;

    Node() {
      for (int id = 1; id <= LocalShards.COUNT; id++) {
        ShardSpec spec = new ShardSpec(id, "127.0.0.1", LocalShards.get().port(id), "root", "", database, false);
        shards.add(new Shard(MySqlBackend.open(spec, new PoolSettings(4, Duration.ofSeconds(2), Duration.ofSeconds(30), 4),
            clock), false));
      }
      coordinator = new Coordinator(() -> shards, 3, new EmptySlotCache(clock, 0));
      schedules = new Schedules(() -> shards, clock);
      ticker = new ScheduleTicker(schedules, coordinator, clock, POLL, new ServerMetrics());
    }

    @Override
    public void close() {
      ticker.close();
      shards.forEach(s -> s.backend().close());
    }
  }

  @BeforeEach
  void twoServers() {
    nodes.add(new Node());
    nodes.add(new Node());
    nodes.get(0).coordinator.createQueue(queue);
  }

  @AfterEach
  void closeAll() {
    nodes.forEach(Node::close);
  }

  /** Both servers' tickers at the same moment, in parallel. */
  void bothTick() {
    CompletableFuture<?> a = CompletableFuture.runAsync(nodes.get(0).ticker::runOnce);
    CompletableFuture<?> b = CompletableFuture.runAsync(nodes.get(1).ticker::runOnce);
    a.join();
    b.join();
  }

  /** Every job of the queue (any state), by runAfter (the tick it was fired for). */
  Map<Long, Integer> jobsByTick() {
    Map<Long, Integer> out = new TreeMap<>();
    QueueAdmin admin = new QueueAdmin(() -> nodes.get(0).shards);
    for (JobState state : JobState.values()) {
      for (JobInfo j : admin.scan(new JobFilter(queue, state, null, null, null), null, 1000).jobs()) {
        out.merge(j.runAfterMillis(), 1, Integer::sum);
      }
    }
    return out;
  }

  ScheduleSpec every(Duration d) {
    return new ScheduleSpec(queue, null, null, d.toMillis(), "tick".getBytes(), 2, 1);
  }

  @Test
  void aCycleWithNoTickDueTakesNoLeaseAndOneWithATickDueFiresIt() {
    ScheduleTicker ticker = nodes.get(0).ticker;
    assertEquals(ScheduleTicker.Outcome.NOTHING_DUE, ticker.runOnce(), "no schedule at all");
    Schedule s = nodes.get(0).schedules.create(every(Duration.ofMinutes(1)));
    assertEquals(ScheduleTicker.Outcome.NOTHING_DUE, ticker.runOnce(), "the first tick is a minute away");
    clock.advance(Duration.ofMinutes(1));
    assertEquals(ScheduleTicker.Outcome.RAN, ticker.runOnce());
    assertEquals(Map.of(s.createdAtMillis() + 60_000L, 1), jobsByTick());
    assertEquals(ScheduleTicker.Outcome.NOTHING_DUE, ticker.runOnce(), "the tick moved on");
  }

  @Test
  void everyTickEnqueuesExactlyOneJobOnTwoServersAlsoAcrossARestart() {
    Schedule s = nodes.get(0).schedules.create(every(Duration.ofMinutes(1)));
    List<Long> ticks = new ArrayList<>();
    for (int i = 1; i <= 6; i++) {
      clock.advance(Duration.ofMinutes(1));
      ticks.add(s.createdAtMillis() + i * 60_000L);
      bothTick();
      // A tick whose job already finished must not fire again either.
      List<ClaimedJob> got = nodes.get(1).coordinator.dequeue(new DequeueRequest(queue, 10, "w"));
      nodes.get(1).coordinator.ack(queue, "w", got.stream().map(j -> new Ack(j.descriptor(), "", 0)).toList(), List.of());
      bothTick();
      clock.advance(POLL);
      bothTick();
      if (i == 3) {
        nodes.remove(0).close(); // server A restarts
        nodes.add(0, new Node());
      }
    }
    Map<Long, Integer> expected = new TreeMap<>();
    ticks.forEach(t -> expected.put(t, 1));
    assertEquals(expected, jobsByTick());
  }

  @Test
  void aCronScheduleTicksOnItsMinutes() {
    nodes.get(0).schedules.create(new ScheduleSpec(queue, "*/2 * * * *", "Europe/Paris", null, "c".getBytes(), 1, 1));
    for (int i = 0; i < 6; i++) {
      clock.advance(Duration.ofMinutes(1));
      bothTick();
    }
    Map<Long, Integer> byTick = jobsByTick();
    assertEquals(3, byTick.size(), "6 minutes hold 3 even minutes: " + byTick);
    byTick.forEach((tick, n) -> {
      assertEquals(1, n);
      assertEquals(0, tick % 120_000, "on an even minute");
    });
  }

  @Test
  void afterDowntimeAScheduleFiresOnceThenResumes() {
    Schedule s = nodes.get(0).schedules.create(every(Duration.ofMinutes(1)));
    clock.advance(Duration.ofMinutes(10).plusSeconds(30));
    bothTick();
    assertEquals(Map.of(s.createdAtMillis() + 60_000, 1), jobsByTick(), "one job, for the oldest tick owed");
    Schedule now = nodes.get(1).schedules.list(queue).get(0);
    assertEquals(s.createdAtMillis() + 11 * 60_000, now.nextFireAtMillis(), "resumes on the grid after now");
    clock.advance(Duration.ofSeconds(30));
    bothTick();
    assertEquals(2, jobsByTick().size());
  }

  @Test
  void aTickWhoseJobWasEnqueuedByAServerThatDiedIsNotEnqueuedAgain() {
    Schedule s = nodes.get(0).schedules.create(every(Duration.ofMinutes(1)));
    clock.advance(Duration.ofMinutes(1));
    long tick = s.nextFireAtMillis();
    // What a server that died between its enqueue and its compare-and-set left behind:
    nodes.get(0).coordinator.enqueueJobs(queue, List.of(new NewJob("tick".getBytes(), 2, tick, 1, "")
        .withUniqueKey(ScheduleTicker.tickKey(s.id(), tick))));
    bothTick();
    assertEquals(Map.of(tick, 1), jobsByTick());
    assertTrue(nodes.get(0).schedules.list(queue).get(0).nextFireAtMillis() > tick);
  }

  @Test
  void deletedSchedulesStopTicking() {
    Schedule s = nodes.get(0).schedules.create(every(Duration.ofMinutes(1)));
    assertTrue(nodes.get(1).schedules.delete(s.id()));
    clock.advance(Duration.ofMinutes(5));
    bothTick();
    assertEquals(Map.of(), jobsByTick());
  }
}
