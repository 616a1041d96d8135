package io.hourglass.server.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hourglass.testing.MutableClock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KeyRouterTest {
  final MutableClock clock = MutableClock.startingNow();

  List<Shard> shards(int... ids) {
    List<Shard> out = new ArrayList<>();
    for (int id : ids) {
      out.add(new Shard(new InMemoryBackend(id, clock), false));
    }
    return out;
  }

  static Map<String, Integer> route(List<Shard> shards, int keys) {
    Map<String, Integer> out = new HashMap<>();
    for (int i = 0; i < keys; i++) {
      out.put("key-" + i, KeyRouter.shardFor("key-" + i, shards).id());
    }
    return out;
  }

  @Test
  void keysSpreadEvenlyAndAddingAShardMovesOnlyItsShare() {
    Map<String, Integer> before = route(shards(1, 2, 3), 30_000);
    for (int id = 1; id <= 3; id++) {
      int id0 = id;
      long n = before.values().stream().filter(s -> s == id0).count();
      assertTrue(n > 9000 && n < 11_000, "shard " + id + " got " + n + " of 30000");
    }
    Map<String, Integer> after = route(shards(1, 2, 3, 4), 30_000);
    int moved = 0;
    for (String k : before.keySet()) {
      if (!before.get(k).equals(after.get(k))) {
        moved++;
        assertEquals(4, after.get(k), "a key only ever moves to the new shard");
      }
    }
    assertTrue(moved > 6500 && moved < 8500, "about 1/4 of the keys move: " + moved);
  }

  @Test
  void drainingAShardMovesOnlyItsKeysAndHealthMovesNone() {
    List<Shard> all = shards(1, 2, 3);
    Map<String, Integer> before = route(all, 3000);
    all.get(0).health().markDown("test");
    assertEquals(before, route(all, 3000), "a down shard keeps its keys (enqueues fail instead)");
    List<Shard> draining = new ArrayList<>(all);
    draining.set(1, new Shard(all.get(1).backend(), true));
    Map<String, Integer> after = route(draining, 3000);
    before.forEach((k, s) -> {
      if (s != 2) {
        assertEquals(s, after.get(k), k);
      } else {
        assertTrue(after.get(k) != 2);
      }
    });
    assertNull(KeyRouter.shardFor("k", List.of(new Shard(new InMemoryBackend(1, clock), true))));
  }

  @Test
  void theChoiceDependsOnlyOnTheKeyAndTheShardIds() {
    assertEquals(route(shards(1, 2, 3), 500), route(shards(3, 1, 2), 500), "order of the shard list does not matter");
  }
}
