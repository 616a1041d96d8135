package io.hourglass.server.mysql;

import io.hourglass.server.queue.QueueName;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Concurrent success acks of one queue on one shard, with no status text to append, become one
 * UPDATE (see {@link Coalescer}): each row still moves only for the claimant whose ack named it
 * (the claimant is matched per row, {@link MySqlQueries#claimantOf}). An ack hears back after
 * the statement has committed (autocommit).
 *
 * <p>The shard reports one count for the statement, not one per ack, so the count is handed out
 * in arrival order (each ack gets at most the number of jobs it named): the counts of a batch
 * add up to what moved, which is all the server's metrics need. An ack that shares no statement
 * gets its exact count.
 */
final class AckCoalescer {
  /** One UPDATE in autocommit of the ids in {@code idsByClaimant}; returns the rows it moved. */
  interface Update {
    int update(QueueName queue, Map<String, List<Long>> idsByClaimant);
  }

  private record Request(String claimant, List<Long> ids) {}

  /** At most this many ids in one coalesced ack. */
  static final int MAX_COALESCED_IDS = 1000;

  private final Update update;
  /**
   * An ack joins a batch while the ids fit and it names none of the batch's ids: two claimants
   * acking one job (one of them late) must not share a statement, where the row would be
   * matched against only one of them.
   */
  private final Coalescer<Request, Integer> coalescer = new Coalescer<>((group, next) -> {
    Set<Long> ids = new HashSet<>();
    group.forEach(r -> ids.addAll(r.ids()));
    return ids.size() + next.ids().size() <= MAX_COALESCED_IDS && next.ids().stream().noneMatch(ids::contains);
  });

  AckCoalescer(Update update) {
    this.update = update;
  }

  int ack(QueueName queue, String claimant, List<Long> ids) {
    return coalescer.submit(queue.value(), new Request(claimant, ids), group -> {
      Map<String, List<Long>> idsByClaimant = new LinkedHashMap<>();
      group.forEach(r -> idsByClaimant.computeIfAbsent(r.claimant(), k -> new ArrayList<>()).addAll(r.ids()));
      int left = update.update(queue, idsByClaimant);
      List<Integer> counts = new ArrayList<>(group.size());
      for (Request r : group) {
        int n = Math.min(left, r.ids().size());
        counts.add(n);
        left -= n;
      }
      return counts;
    });
  }
}
