package io.hourglass.server.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hourglass.server.queue.QueueException.Kind;
import io.hourglass.testing.MutableClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Fan-out rules of the coordinator, on in-memory shards with injected failures. */
class CoordinatorTest {
  final MutableClock clock = MutableClock.startingNow();
  final QueueName q = QueueName.of("q");
  final AtomicInteger claims = new AtomicInteger();
  final AtomicInteger releasedOnShard3 = new AtomicInteger();
  List<Shard> shards;
  RuntimeException failClaimsOnShard3;
  RuntimeException failEnqueuesOnShard1;
  /** While set, the next enqueue on any shard says where it is and waits for it: a slow INSERT. */
  volatile java.util.concurrent.CountDownLatch nextEnqueueHolds;
  final java.util.concurrent.CompletableFuture<Integer> heldEnqueueShard = new java.util.concurrent.CompletableFuture<>();
  /** While set, shard 3's priority-2 claims wait for it: a shard that hangs mid-dequeue. */
  volatile java.util.concurrent.CountDownLatch shard3Priority2Hangs;

  @BeforeEach
  void threeShards() {
    shards = new ArrayList<>();
    for (int id = 1; id <= 3; id++) {
      int shardId = id;
      InMemoryBackend b = new InMemoryBackend(id, clock) {
        @Override
        public synchronized List<ClaimedJob> claim(ClaimRequest r) {
          claims.incrementAndGet();
          if (shardId == 3 && failClaimsOnShard3 != null) {
            throw failClaimsOnShard3;
          }
          java.util.concurrent.CountDownLatch hang = shard3Priority2Hangs;
          if (shardId == 3 && r.priority() == 2 && hang != null) {
            try {
              hang.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
          return super.claim(r);
        }

        @Override
        public synchronized int releaseClaims(QueueName queue, String claimant, List<JobDescriptor> jobs) {
          int n = super.releaseClaims(queue, claimant, jobs);
          if (shardId == 3) {
            releasedOnShard3.addAndGet(n);
          }
          return n;
        }

        @Override
        public List<EnqueuedJob> enqueueJobs(QueueName queue, List<NewJob> jobs) {
          if (shardId == 1 && failEnqueuesOnShard1 != null) {
            throw failEnqueuesOnShard1;
          }
          java.util.concurrent.CountDownLatch hold = nextEnqueueHolds;
          if (hold != null && heldEnqueueShard.complete(shardId)) {
            try {
              hold.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
          return super.enqueueJobs(queue, jobs);
        }
      };
      b.createQueue(q);
      shards.add(new Shard(b, false));
    }
  }

  Coordinator coordinator(long emptyCacheMillis) {
    return new Coordinator(() -> shards, 3, new EmptySlotCache(clock, emptyCacheMillis));
  }

  void put(int shardIndex, int priority, String body) {
    shards.get(shardIndex - 1).backend().enqueue(q, List.of(new NewJob(body.getBytes(), priority, clock.millis(), 2, "")));
  }

  List<ClaimedJob> dequeue(Coordinator c, int limit) {
    return c.dequeue(new DequeueRequest(q, limit, "me"));
  }

  @Test
  void everyShardsPriorityOneComesBeforeAnyPriorityTwo() {
    put(1, 2, "s1p2");
    put(2, 1, "s2p1");
    put(3, 1, "s3p1");
    put(3, 3, "s3p3");
    List<ClaimedJob> got = dequeue(coordinator(0), 3);
    assertEquals(Set.of("s2p1", "s3p1", "s1p2"), got.stream().map(j -> new String(j.body())).collect(Collectors.toSet()));
  }

  @Test
  void aFailingShardIsSkippedWhileTheOthersServe() {
    put(1, 1, "a");
    put(2, 1, "b");
    put(3, 1, "c");
    failClaimsOnShard3 = new QueueException(Kind.SHARD_CONNECTION_FAILED, "shard 3 is unreachable");
    assertEquals(2, dequeue(coordinator(0), 10).size());
  }

  @Test
  void whenNoShardAnswersTheDequeueFailsWithTheShardError() {
    failClaimsOnShard3 = new QueueException(Kind.SHARD_CONNECTION_FAILED, "down");
    shards = List.of(shards.get(2));
    QueueException e = assertThrows(QueueException.class, () -> dequeue(coordinator(0), 10));
    assertEquals(Kind.SHARD_CONNECTION_FAILED, e.kind());
  }

  @Test
  void anUnexpectedErrorHalfWayReleasesWhatWasAlreadyClaimed() {
    put(1, 1, "a");
    put(2, 1, "b");
    failClaimsOnShard3 = new IllegalStateException("bug");
    // Shard order is random; repeat until shard 3 is asked after another shard claimed something.
    for (int i = 0; i < 50; i++) {
      assertThrows(IllegalStateException.class, () -> dequeue(coordinator(0), 10));
    }
    failClaimsOnShard3 = null;
    assertEquals(2, dequeue(coordinator(0), 10).size(), "both jobs were released and can be claimed");
    for (Shard s : shards) {
      for (JobInfo info : s.backend().scan(new JobFilter(q, JobState.IN_PROGRESS, null, null, null), null, 10)) {
        assertEquals(2, info.attemptsRemaining(), "released claims left no trace: still 2 of 2 while running");
      }
    }
  }

  @Test
  void emptySlotsAreSkippedUntilTheCacheExpiresOrThisServerAddsWork() {
    Coordinator c = coordinator(1000);
    assertTrue(dequeue(c, 5).isEmpty());
    int first = claims.get();
    assertEquals(9, first, "3 shards x 3 priorities");
    assertTrue(dequeue(c, 5).isEmpty());
    assertEquals(first, claims.get(), "every slot skipped");
    c.enqueue(q, List.of(new NewJob("x".getBytes(), 2, clock.millis(), 2, "")));
    assertEquals(1, dequeue(c, 5).size(), "own enqueue forgets the slot");
    clock.advance(Duration.ofMillis(1001));
    int before = claims.get();
    dequeue(c, 5);
    assertEquals(before + 9, claims.get(), "expired slots are asked again");
  }

  @Test
  void enqueueFailsOverWhenAShardCannotBeReached() {
    failEnqueuesOnShard1 = new QueueException(Kind.SHARD_CONNECTION_FAILED, "shard 1 down");
    Coordinator c = coordinator(0);
    for (int i = 0; i < 30; i++) {
      JobDescriptor d = c.enqueue(q, List.of(new NewJob("x".getBytes(), 1, clock.millis(), 2, ""))).get(0);
      assertTrue(d.shardId() != 1);
    }
  }

  @Test
  void anEnqueueWhoseConnectionBrokeAfterTheInsertWasSentIsNotRetriedOnAnotherShard() {
    failEnqueuesOnShard1 = new QueueException(Kind.SHARD_CONNECTION_FAILED, "shard 1: link failure").markMayHaveRun();
    Coordinator c = coordinator(0);
    int failed = 0;
    for (int i = 0; i < 30; i++) {
      try {
        assertTrue(c.enqueue(q, List.of(new NewJob("x".getBytes(), 1, clock.millis(), 2, ""))).get(0).shardId() != 1);
      } catch (QueueException e) {
        assertEquals(Kind.SHARD_CONNECTION_FAILED, e.kind());
        failed++;
      }
    }
    assertTrue(failed > 0, "the enqueues that went to shard 1 first fail instead of being stored elsewhere too");
  }

  @Test
  void whileOneShardIsBusyWithAnEnqueueTheNextOnesGoToTheOthers() throws Exception {
    shards = List.of(shards.get(0), shards.get(1));
    Coordinator c = coordinator(0);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    nextEnqueueHolds = release;
    Thread slow = new Thread(() -> c.enqueue(q, List.of(new NewJob("slow".getBytes(), 1, clock.millis(), 2, ""))));
    slow.start();
    int busy = heldEnqueueShard.get(10, java.util.concurrent.TimeUnit.SECONDS);
    try {
      for (int i = 0; i < 20; i++) {
        assertEquals(busy == 1 ? 2 : 1,
            c.enqueue(q, List.of(new NewJob("x".getBytes(), 1, clock.millis(), 2, ""))).get(0).shardId());
      }
    } finally {
      release.countDown();
      slow.join();
    }
    // With nothing in flight, enqueues still spread over every shard.
    Set<Integer> used = new java.util.HashSet<>();
    for (int i = 0; i < 40; i++) {
      used.add(c.enqueue(q, List.of(new NewJob("y".getBytes(), 1, clock.millis(), 2, ""))).get(0).shardId());
    }
    assertEquals(Set.of(1, 2), used);
  }

  @Test
  void enqueueSkipsDequeueOnlyShards() {
    shards = List.of(new Shard(shards.get(0).backend(), true), shards.get(1));
    Coordinator c = coordinator(0);
    for (int i = 0; i < 20; i++) {
      assertEquals(2, c.enqueue(q, List.of(new NewJob("x".getBytes(), 1, clock.millis(), 2, ""))).get(0).shardId());
    }
  }

  @Test
  void queueMissingOnEveryShardIsNotFound() {
    QueueException e = assertThrows(QueueException.class,
        () -> coordinator(0).dequeue(new DequeueRequest(QueueName.of("nope"), 1, "me")));
    assertEquals(Kind.QUEUE_NOT_FOUND, e.kind());
  }

  @Test
  void aShardThatHangsMidDequeueIsGivenUpAtTheDeadlineAndWhatItClaimsLateIsReleased() throws Exception {
    Duration claimTimeout = Duration.ofMillis(400);
    Coordinator c = new Coordinator(() -> shards, 3, new EmptySlotCache(clock, 0), queue -> claimTimeout);
    put(1, 1, "s1p1");
    put(2, 1, "s2p1");
    put(3, 2, "s3p2");
    shard3Priority2Hangs = new java.util.concurrent.CountDownLatch(1);
    long start = System.nanoTime();
    List<ClaimedJob> got = dequeue(c, 10);
    long tookMillis = Duration.ofNanos(System.nanoTime() - start).toMillis();
    // Every priority-1 slot answered, then shard 3 hung at priority 2: the dequeue answers at its
    // deadline (half the claim timeout) with what it holds, long before those claims expire.
    assertEquals(Set.of("s1p1", "s2p1"), got.stream().map(j -> new String(j.body())).collect(Collectors.toSet()));
    assertTrue(tookMillis >= claimTimeout.toMillis() / 2 - 20 && tookMillis < claimTimeout.toMillis(),
        "answered after " + tookMillis + " ms");

    shard3Priority2Hangs.countDown(); // the shard answers: its claim for that dequeue comes in late
    InMemoryBackend s3 = (InMemoryBackend) shards.get(2).backend();
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (releasedOnShard3.get() == 0 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertEquals(1, releasedOnShard3.get(), "the late claim was not released");
    JobInfo late = s3.lookup(q, List.of(1L), false).get(0);
    assertEquals(JobState.PENDING, late.state());
    assertEquals(late.attemptsAllowed(), late.attemptsRemaining(), "the late claim's attempt was not given back");
    assertEquals(List.of("s3p2"), dequeue(c, 10).stream().map(j -> new String(j.body())).toList());
  }

  // --- unique keys ---

  NewJob keyed(String body, String key) {
    return new NewJob(body.getBytes(), 1, clock.millis(), 2, "").withUniqueKey(key);
  }

  @Test
  void aKeyedJobGoesToItsKeysShardEveryTime() {
    Coordinator c = coordinator(0);
    int home = KeyRouter.shardFor("k1", shards).id();
    for (int i = 0; i < 10; i++) {
      EnqueuedJob e = c.enqueueJobs(q, List.of(keyed("x" + i, "k1"))).get(0);
      assertEquals(home, e.descriptor().shardId());
      assertEquals(i > 0, e.existing());
    }
  }

  @Test
  void aBatchKeepsItsOrderAcrossTheKeysShards() {
    Coordinator c = coordinator(0);
    List<NewJob> batch = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      batch.add(i % 2 == 0 ? keyed("k" + i, "key-" + i) : new NewJob(("u" + i).getBytes(), 1, clock.millis(), 2, ""));
    }
    List<EnqueuedJob> got = c.enqueueJobs(q, batch);
    Set<Integer> used = got.stream().map(e -> e.descriptor().shardId()).collect(Collectors.toSet());
    assertTrue(used.size() > 1, "keys spread over shards");
    for (int i = 0; i < 20; i++) {
      JobDescriptor d = got.get(i).descriptor();
      assertEquals(new String(batch.get(i).body()),
          new String(c.lookup(List.of(d), true).get(d).body()), "entry " + i);
      if (i % 2 == 0) {
        assertEquals(KeyRouter.shardFor("key-" + i, shards).id(), d.shardId());
      }
    }
  }

  @Test
  void aKeyWhoseShardIsDownFailsRetryablyAndIsStoredNowhere() {
    Coordinator c = coordinator(0);
    Shard home = KeyRouter.shardFor("k", shards);
    home.health().markDown("killed in test");
    QueueException e = assertThrows(QueueException.class,
        () -> c.enqueueJobs(q, List.of(new NewJob("plain".getBytes(), 1, clock.millis(), 2, ""), keyed("x", "k"))));
    assertEquals(Kind.SHARD_CONNECTION_FAILED, e.kind());
    assertTrue(e.getMessage().startsWith("jobs[1].uniqueKey: its shard " + home.id() + " is down"), e.getMessage());
    for (Shard s : shards) {
      assertEquals(Map.of(), s.backend().unfinishedJobs(), "nothing stored on shard " + s.id());
    }
  }
}
