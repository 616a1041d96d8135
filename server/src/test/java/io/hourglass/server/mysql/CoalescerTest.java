package io.hourglass.server.mysql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CoalescerTest {
  /** A batch that answers each request with its own value, after a short pause so that others line up. */
  private static List<Integer> echo(List<Integer> requests) {
    Thread.onSpinWait();
    return new ArrayList<>(requests);
  }

  @Test
  void everyConcurrentRequestGetsItsOwnResultAndRequestsShareBatchesOneAtATime() throws Exception {
    Coalescer<Integer, Integer> coalescer = new Coalescer<>((group, next) -> group.size() < 8);
    AtomicInteger batches = new AtomicInteger();
    AtomicInteger running = new AtomicInteger();
    AtomicInteger mostAtOnce = new AtomicInteger();
    int threads = 16;
    int perThread = 20_000;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<Integer>> wrong = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        wrong.add(pool.submit(() -> {
          int mismatches = 0;
          for (int i = 0; i < perThread; i++) {
            Integer mine = thread * perThread + i;
            Integer got = coalescer.submit("lane", mine, group -> {
              batches.incrementAndGet();
              mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
              try {
                return echo(group);
              } finally {
                running.decrementAndGet();
              }
            });
            if (!mine.equals(got)) {
              mismatches++; // null here was a waiter that saw its request done before its result
            }
          }
          return mismatches;
        }));
      }
      for (Future<Integer> f : wrong) {
        assertEquals(0, f.get(120, TimeUnit.SECONDS), "requests that got another's result or none");
      }
    } finally {
      pool.shutdownNow();
    }
    assertTrue(batches.get() < threads * perThread, "16 threads on one lane share batches: " + batches.get());
    assertEquals(1, mostAtOnce.get(), "batches of one lane running at once");
  }

  @Test
  void aFailedBatchFailsEveryRequestInItWithItsError() throws Exception {
    Coalescer<Integer, Integer> coalescer = new Coalescer<>((group, next) -> true);
    CountDownLatch leaderRunning = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      // The first request leads a batch that waits; two more line up behind it and share the next one, which fails.
      Future<Integer> first = pool.submit(() -> coalescer.submit("lane", 1, group -> {
        leaderRunning.countDown();
        await(release);
        return new ArrayList<>(group);
      }));
      leaderRunning.await(10, TimeUnit.SECONDS);
      Coalescer.Batch<Integer, Integer> failing = group -> {
        throw new IllegalStateException("batch of " + group.size() + " failed");
      };
      Future<Integer> second = pool.submit(() -> coalescer.submit("lane", 2, failing));
      Future<Integer> third = pool.submit(() -> coalescer.submit("lane", 3, failing));
      Thread.sleep(200); // both are waiting behind the running batch
      release.countDown();
      assertEquals(1, first.get(10, TimeUnit.SECONDS));
      for (Future<Integer> f : List.of(second, third)) {
        Exception e = assertThrows(java.util.concurrent.ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
        assertEquals("batch of 2 failed", e.getCause().getMessage());
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
