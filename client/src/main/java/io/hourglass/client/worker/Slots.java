package io.hourglass.client.worker;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

/**
 * The worker's capacity: {@code concurrency} slots, each free or holding one running job. The
 * fetcher takes every free slot before a dequeue and asks for exactly that many jobs, so the
 * worker never holds a job it has no thread for (a held job's claim would age for nothing).
 */
final class Slots {
  private final Semaphore free;
  private final Set<String> running = ConcurrentHashMap.newKeySet();

  Slots(int concurrency) {
    this.free = new Semaphore(concurrency);
  }

  /** Waits for at least one free slot, then takes all free slots; returns how many. */
  int takeFree() throws InterruptedException {
    free.acquire();
    return 1 + free.drainPermits();
  }

  /** Returns slots taken by {@link #takeFree()} that no job filled. */
  void giveBack(int n) {
    if (n > 0) {
      free.release(n);
    }
  }

  void occupy(String descriptor) {
    running.add(descriptor);
  }

  void vacate(String descriptor) {
    running.remove(descriptor);
    free.release();
  }

  /** Descriptors of the jobs running now (for heartbeats). */
  List<String> running() {
    return List.copyOf(running);
  }
}
