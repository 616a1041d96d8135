package io.hourglass.server.health;

import io.hourglass.server.queue.QueueException;
import io.hourglass.server.queue.QueueName;
import io.hourglass.server.queue.Shard;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives a shard that joins (added by a reload, at start-up, or back after being down) every
 * queue the other shards have, before it takes enqueues. It only creates queues on the joining
 * shard, never on the others: a queue the joiner kept from before a deleteQueue it missed is not
 * spread back.
 */
public final class QueueSync {
  private static final Logger LOG = LoggerFactory.getLogger(QueueSync.class);

  private QueueSync() {}

  /**
   * Creates on {@code target} the queues of the other healthy shards that it lacks, then marks
   * it synced. Does nothing (it stays unsynced) if no other shard answered, unless it is alone.
   * Throws the target's own failure.
   */
  public static void sync(Shard target, List<Shard> all) {
    Set<String> wanted = new TreeSet<>();
    int others = 0;
    int answered = 0;
    for (Shard s : all) {
      if (s.id() == target.id()) {
        continue;
      }
      others++;
      if (!s.isUp()) {
        continue;
      }
      try {
        wanted.addAll(s.backend().queueNames());
        answered++;
      } catch (QueueException e) {
        LOG.debug("queue sync for shard {}: shard {} did not answer: {}", target.id(), s.id(), e.getMessage());
      }
    }
    if (others > 0 && answered == 0) {
      return;
    }
    wanted.removeAll(target.backend().queueNames());
    for (String name : wanted) {
      target.backend().createQueue(QueueName.of(name));
    }
    if (!wanted.isEmpty()) {
      LOG.info("shard {}: created {} queues it lacked: {}", target.id(), wanted.size(), wanted);
    }
    target.health().markQueuesSynced();
  }
}
