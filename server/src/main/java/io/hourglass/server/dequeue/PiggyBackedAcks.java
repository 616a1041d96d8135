package io.hourglass.server.dequeue;

import com.twitter.util.Future;
import com.twitter.util.Promise;
import io.hourglass.server.queue.Ack;
import io.hourglass.server.queue.AckResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Applies the acks piggy-backed on a dequeue beside its claim, so that the dequeue answers after
 * the longer of the two instead of after both in turn (on one shard: one commit's latency less
 * per dequeue).
 *
 * <p>Success acks run beside the claim, one task per shard (a success cannot make a job
 * claimable). Acks with a failure among them are applied before the claim, in the caller's
 * thread: a failed job may be PENDING again at once, and this very dequeue can claim it, as in
 * PinLater.
 *
 * <p>Once the claim has its jobs, the dequeue waits for unfinished acks at most {@link #GRACE};
 * those still running then are answered as unapplied (the client sends them again; acks are
 * idempotent, so the late original and the resend move each job once). Without that bound, a
 * dequeue whose acks wait on a frozen shard would hold its freshly claimed jobs until the acks
 * gave up, and hand them out with most of their claim timeout gone. A dequeue that claimed
 * nothing, or failed, holds no claim: it waits for its acks to finish.
 */
public final class PiggyBackedAcks {
  /** How long a dequeue that claimed jobs waits for its acks after the claim: far below any claim timeout. */
  public static final Duration GRACE = Duration.ofMillis(100);

  /** Applies acks of one request and says which could not be applied. */
  @FunctionalInterface
  public interface Applier {
    AckResult apply(List<Ack> succeeded, List<Ack> failed);
  }

  private static final AtomicInteger THREAD_NUMBERS = new AtomicInteger();
  /** A thread per shard with acks per dequeue in flight; idle threads end after a minute. */
  private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "hourglass-ack-" + THREAD_NUMBERS.incrementAndGet());
    t.setDaemon(true);
    return t;
  });

  /** No acks: a dequeue without any. */
  public Running none() {
    return new Running(List.of());
  }

  /** Starts applying the acks (or applies them now, when any is a failure). */
  public Running start(List<Ack> succeeded, List<Ack> failed, Applier applier) {
    if (succeeded.isEmpty() && failed.isEmpty()) {
      return none();
    }
    if (!failed.isEmpty()) {
      AckResult now = applier.apply(succeeded, failed);
      List<Ack> all = new ArrayList<>(succeeded);
      all.addAll(failed);
      return new Running(List.of(new Part(all, CompletableFuture.completedFuture(now))));
    }
    Map<Integer, List<Ack>> byShard = new LinkedHashMap<>();
    for (Ack a : succeeded) {
      byShard.computeIfAbsent(a.descriptor().shardId(), k -> new ArrayList<>()).add(a);
    }
    List<Part> parts = new ArrayList<>(byShard.size());
    for (List<Ack> acks : byShard.values()) {
      parts.add(new Part(acks, CompletableFuture.supplyAsync(() -> applier.apply(acks, List.of()), threads)));
    }
    return new Running(parts);
  }

  /** The acks of one shard (or all acks, applied at once) and their outcome. */
  private record Part(List<Ack> acks, CompletableFuture<AckResult> outcome) {}

  /** A dequeue's acks, being applied. */
  public final class Running {
    private final List<Part> parts;

    private Running(List<Part> parts) {
      this.parts = parts;
    }

    /**
     * The acks not known to be applied: those whose shard failed, and, when {@code holdsClaim},
     * those still running {@link #GRACE} from now. Fails if an ack failed in an unexpected way.
     */
    public Future<List<Ack>> unapplied(boolean holdsClaim) {
      List<CompletableFuture<AckResult>> bounded = new ArrayList<>(parts.size());
      for (Part p : parts) {
        // copy(): the timeout ends this dequeue's wait, not the ack itself
        bounded.add(holdsClaim ? p.outcome().copy().completeOnTimeout(null, GRACE.toMillis(), TimeUnit.MILLISECONDS)
            : p.outcome());
      }
      CompletableFuture<List<Ack>> all = CompletableFuture.allOf(bounded.toArray(CompletableFuture[]::new))
          .thenApply(ignored -> {
            List<Ack> out = new ArrayList<>();
            for (int i = 0; i < parts.size(); i++) {
              AckResult r = bounded.get(i).join();
              out.addAll(r == null ? parts.get(i).acks() : r.unapplied());
            }
            return out;
          });
      return twitter(all);
    }

    /** Completes once every ack has finished, however it ended. */
    public Future<Void> finished() {
      CompletableFuture<Void> all = CompletableFuture.allOf(
          parts.stream().map(p -> p.outcome().handle((r, t) -> null)).toArray(CompletableFuture[]::new));
      return twitter(all);
    }
  }

  private static <T> Future<T> twitter(CompletableFuture<T> f) {
    if (f.isDone() && !f.isCompletedExceptionally()) {
      return Future.value(f.join());
    }
    Promise<T> p = new Promise<>();
    f.whenComplete((v, t) -> {
      if (t == null) {
        p.setValue(v);
      } else {
        p.setException(t instanceof java.util.concurrent.CompletionException && t.getCause() != null ? t.getCause() : t);
      }
    });
    return p;
  }
}
