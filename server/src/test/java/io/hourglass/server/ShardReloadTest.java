package io.hourglass.server;

import static io.hourglass.server.Jobs.ackSucceeded;
import static io.hourglass.server.Jobs.dequeue;
import static io.hourglass.server.Jobs.enqueue;
import static io.hourglass.server.Jobs.job;
import static io.hourglass.server.Jobs.shardOf;
import static io.hourglass.testing.TestServer.CONTEXT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hourglass.testing.Eventually;
import io.hourglass.testing.LocalShards;
import io.hourglass.testing.ShardFile;
import io.hourglass.testing.ShardFile.Entry;
import io.hourglass.testing.TestServer;
import io.hourglass.thrift.PinLater;
import io.hourglass.thrift.PinLaterDequeueResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Shard-config hot reload against the shared local shards (nothing is killed): edits apply live,
 * bad edits are rejected while the old config keeps serving, removals are guarded.
 */
class ShardReloadTest {
  /** The spec: a valid edit applies within 10 s (here the poll is faster than the default). */
  static final Duration APPLIES_WITHIN = Duration.ofSeconds(10);

  final LocalShards local = LocalShards.get();
  final String database = TestServer.newDatabase();
  Entry one;
  Entry two;
  Entry three;
  Path file;
  TestServer server;
  PinLater.Client client;

  @BeforeEach
  void startOnTwoShards() {
    one = Entry.of(1, local.port(1), database);
    two = Entry.of(2, local.port(2), database);
    three = Entry.of(3, local.port(3), database);
    file = ShardFile.newFile(ShardFile.json(List.of(one, two), List.of()));
    server = TestServer.startWithShardFile(Clock.systemUTC(),
        Map.of("config.pollMillis", "100", "health.probeIntervalMillis", "200"), file);
    client = server.client();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private void edit(List<Entry> entries, List<Integer> removeAllowed) {
    ShardFile.write(file, ShardFile.json(entries, removeAllowed));
  }

  private long counter(String name) {
    return server.server().metrics().counted(name.replace("config.shards.reloads.", "config.reloads."), "file", "shards");
  }

  /** The counter moves once the whole reload is done, just after the new shards serve. */
  private void awaitAccepted(long n) {
    Eventually.await(APPLIES_WITHIN, n + " reloads accepted", () -> counter("config.shards.reloads.accepted") == n);
  }

  private void awaitShardIds(List<Integer> ids) {
    Eventually.await(APPLIES_WITHIN, "shards " + ids + " in service",
        () -> List.copyOf(ShardFile.shards(server).keySet()).equals(ids));
  }

  /** Enqueues one job per request until one lands on {@code shard}; its descriptor, or null. */
  private String enqueueUntilOn(String queue, int shard) throws Exception {
    for (int i = 0; i < 300; i++) {
      String d = enqueue(client, queue, job("probe-" + i, 1)).get(0);
      if (shardOf(d) == shard) {
        return d;
      }
    }
    return null;
  }

  @Test
  void addedShardGetsEveryExistingQueueAndNewEnqueuesReachIt() throws Exception {
    client.createQueue(CONTEXT, "alpha");
    client.createQueue(CONTEXT, "beta");

    edit(List.of(one, two, three), List.of());
    awaitShardIds(List.of(1, 2, 3));
    Eventually.await(APPLIES_WITHIN, "shard 3 healthy with its queues", () -> {
      var s3 = ShardFile.shards(server).get(3);
      return s3.get("state").asText().equals("healthy") && s3.get("queuesSynced").asBoolean();
    });

    assertTrue(enqueueUntilOn("alpha", 3) != null, "no enqueue of 'alpha' reached the new shard");
    assertTrue(enqueueUntilOn("beta", 3) != null, "no enqueue of 'beta' reached the new shard");
    awaitAccepted(1);
    assertEquals(0, counter("config.shards.reloads.rejected"));
  }

  @Test
  void drainedShardReceivesNothingNewEmptiesAndCanThenBeRemoved() throws Exception {
    String queue = "drain";
    client.createQueue(CONTEXT, queue);
    assertTrue(enqueueUntilOn(queue, 2) != null, "setup: a job on shard 2");

    edit(List.of(one, two.draining()), List.of());
    Eventually.await(APPLIES_WITHIN, "shard 2 draining",
        () -> ShardFile.shards(server).get(2).get("state").asText().equals("draining"));
    assertTrue(ShardFile.shards(server).get(2).get("unfinishedJobs").asLong() > 0);

    for (int i = 0; i < 60; i++) {
      assertEquals(1, shardOf(enqueue(client, queue, job("after-drain-" + i, 1)).get(0)),
          "an enqueue reached the draining shard");
    }
    PinLaterDequeueResponse r;
    while (!(r = dequeue(client, queue, 50)).getJobs().isEmpty()) {
      ackSucceeded(client, queue, new ArrayList<>(r.getJobs().keySet()));
    }
    assertEquals(0, ShardFile.shards(server).get(2).get("unfinishedJobs").asLong(), "the drained shard is empty");

    edit(List.of(one), List.of());
    awaitShardIds(List.of(1));
    awaitAccepted(2);
    assertEquals(1, shardOf(enqueue(client, queue, job("after-removal", 1)).get(0)));
  }

  @Test
  void removingAShardWithUnfinishedJobsIsRefusedUnlessRemoveAllowedSaysSo() throws Exception {
    String queue = "guarded";
    client.createQueue(CONTEXT, queue);
    assertTrue(enqueueUntilOn(queue, 2) != null, "setup: a job on shard 2");

    edit(List.of(one), List.of());
    Eventually.await(APPLIES_WITHIN, "removal refused", () -> counter("config.shards.reloads.rejected") == 1);
    assertEquals(List.of(1, 2), List.copyOf(ShardFile.shards(server).keySet()), "old config still serving");
    assertTrue(enqueueUntilOn(queue, 2) != null, "shard 2 still takes enqueues");

    edit(List.of(one), List.of(2));
    awaitShardIds(List.of(1));
    awaitAccepted(1);
  }

  @Test
  void malformedEditsAreRejectedCountedAndTheOldConfigKeepsServing() throws Exception {
    String queue = "malformed";
    client.createQueue(CONTEXT, queue);
    String good = ShardFile.json(List.of(one, two), List.of());
    List<String> bad = List.of(
        "{ \"shards\": [ {\"id\": 1, ",                                      // truncated JSON
        good.replace("\"database\"", "\"dequeueonly\": true, \"database\""),  // unknown key (typo)
        ShardFile.json(List.of(one, Entry.of(1, local.port(2), database)), List.of()), // duplicate id
        ShardFile.json(List.of(one.draining(), two.draining()), List.of()),   // nobody takes enqueues
        good.replace("\"host\": \"127.0.0.1\", ", ""),                        // host missing
        ShardFile.json(List.of(one, two), List.of(2)));                       // removeAllowed of a listed shard
    for (int i = 0; i < bad.size(); i++) {
      ShardFile.write(file, bad.get(i));
      long expected = i + 1;
      Eventually.await(APPLIES_WITHIN, "edit " + i + " rejected",
          () -> counter("config.shards.reloads.rejected") == expected);
      String d = enqueue(client, queue, job("still-serving-" + i, 1)).get(0);
      assertTrue(List.of(1, 2).contains(shardOf(d)));
    }
    assertEquals(List.of(1, 2), List.copyOf(ShardFile.shards(server).keySet()));
    assertTrue(server.adminGet("/metrics").body()
        .contains("hourglass_config_reloads_rejected_total{file=\"shards\"} " + bad.size()));

    edit(List.of(one, two, three), List.of());
    awaitShardIds(List.of(1, 2, 3));
    awaitAccepted(1);
  }

  @Test
  void changedConnectionSwapsThePoolWithoutFailingRequests() throws Exception {
    String queue = "reconnect";
    client.createQueue(CONTEXT, queue);
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicInteger requests = new AtomicInteger();
    AtomicReference<Exception> failure = new AtomicReference<>();
    PinLater.Client trafficClient = server.client();
    Thread traffic = new Thread(() -> {
      while (running.get()) {
        try {
          enqueue(trafficClient, queue, job("t", 1), job("t", 2));
          PinLaterDequeueResponse r = dequeue(trafficClient, queue, 10);
          ackSucceeded(trafficClient, queue, new ArrayList<>(r.getJobs().keySet()));
          requests.addAndGet(3);
        } catch (Exception e) {
          failure.compareAndSet(null, e);
        }
      }
    });
    traffic.start();
    try {
      int before = requests.get();
      Eventually.await(APPLIES_WITHIN, "traffic flowing", () -> requests.get() > before + 30);
      // Same database, another address for it: a new pool must replace the old one.
      edit(List.of(one.withHost("localhost"), two), List.of());
      Eventually.await(APPLIES_WITHIN, "shard 1 on its new address",
          () -> ShardFile.shards(server).get(1).get("host").asText().equals("localhost:" + local.port(1)));
      // Past the grace period in which the old pool finishes what it has, then closes.
      Thread.sleep(1500);
      int after = requests.get();
      Eventually.await(APPLIES_WITHIN, "traffic on the new pool", () -> requests.get() > after + 30);
    } finally {
      running.set(false);
      traffic.join();
    }
    assertEquals(null, failure.get(), "a request failed during the pool swap");
    assertEquals("healthy", ShardFile.shards(server).get(1).get("state").asText());
    Map<Integer, Integer> byShard = new HashMap<>();
    for (int i = 0; i < 100; i++) {
      byShard.merge(shardOf(enqueue(client, queue, job("x", 1)).get(0)), 1, Integer::sum);
    }
    assertTrue(byShard.containsKey(1), "shard 1 takes enqueues through its new pool: " + byShard);
  }
}
