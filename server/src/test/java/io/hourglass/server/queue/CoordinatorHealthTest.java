package io.hourglass.server.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hourglass.server.queue.QueueException.Kind;
import io.hourglass.testing.MutableClock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** How shard health steers the coordinator: rotation, queue sync, NO_HEALTHY_SHARDS. */
class CoordinatorHealthTest {
  final MutableClock clock = MutableClock.startingNow();
  final QueueName q = QueueName.of("q");
  final List<Shard> shards = new ArrayList<>();
  final Coordinator coordinator = new Coordinator(() -> shards, 3, new EmptySlotCache(clock, 0));

  @BeforeEach
  void threeHealthyShards() {
    for (int id = 1; id <= 3; id++) {
      InMemoryBackend b = new InMemoryBackend(id, clock);
      b.createQueue(q);
      shards.add(new Shard(b, false, new ShardHealth(id, true)));
    }
  }

  private Set<Integer> shardsEnqueuedTo(int requests) {
    Set<Integer> used = new HashSet<>();
    for (int i = 0; i < requests; i++) {
      used.add(coordinator.enqueue(q, List.of(new NewJob("x".getBytes(), 1, clock.millis(), 2, ""))).get(0).shardId());
    }
    return used;
  }

  @Test
  void aDownShardGetsNoEnqueuesAndIsNotAskedForJobs() {
    shards.get(1).backend().enqueue(q, List.of(new NewJob("on-2".getBytes(), 1, clock.millis(), 2, "")));
    shards.get(1).health().markDown("test");
    assertEquals(Set.of(1, 3), shardsEnqueuedTo(60));
    List<ClaimedJob> got = coordinator.dequeue(new DequeueRequest(q, 1000, "me"));
    assertEquals(60, got.size());
    assertTrue(got.stream().noneMatch(j -> j.descriptor().shardId() == 2));

    shards.get(1).health().markUp();
    shards.get(1).health().markQueuesSynced();
    assertEquals(1, coordinator.dequeue(new DequeueRequest(q, 1000, "me")).size(), "back in rotation");
    assertEquals(Set.of(1, 2, 3), shardsEnqueuedTo(60));
  }

  @Test
  void aShardThatHasNotGotEveryQueueYetTakesNoEnqueues() {
    Shard fresh = shards.get(2);
    fresh.health().markDown("joining");
    fresh.health().markUp();
    assertEquals(Set.of(1, 2), shardsEnqueuedTo(60));
    fresh.health().markQueuesSynced();
    assertEquals(Set.of(1, 2, 3), shardsEnqueuedTo(60));
  }

  @Test
  void withEveryShardDownEnqueueAndDequeueSayNoHealthyShards() {
    shards.forEach(s -> s.health().markDown("test"));
    QueueException enq = assertThrows(QueueException.class,
        () -> coordinator.enqueue(q, List.of(new NewJob("x".getBytes(), 1, clock.millis(), 2, ""))));
    assertEquals(Kind.NO_HEALTHY_SHARDS, enq.kind());
    assertTrue(enq.getMessage().contains("shard 1 down"), enq.getMessage());
    QueueException deq = assertThrows(QueueException.class,
        () -> coordinator.dequeue(new DequeueRequest(q, 1, "me")));
    assertEquals(Kind.NO_HEALTHY_SHARDS, deq.kind());
  }

  @Test
  void enqueueGoesToAnotherShardWhenOneLacksTheQueue() {
    shards.get(0).backend().deleteQueue(q);
    shards.get(1).backend().deleteQueue(q);
    assertEquals(Set.of(3), shardsEnqueuedTo(30));
  }
}
