package io.hourglass.chaos;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What one run of the fault suite does: which faults, how much load, how long each phase lasts.
 *
 * @param faultsPerKind  trials of each {@link FaultKind} (kinds are interleaved)
 * @param shards         MariaDB shards (durable: fsync on)
 * @param enqueuers      enqueuer processes per trial
 * @param workers        worker processes per trial
 * @param claimTimeout   the queue's claim timeout, small so that rescue happens within a trial
 * @param warmUp         load before the fault
 * @param downTime       how long a killed server or shard stays down before its restart
 * @param freeze         how long a shard stays SIGSTOPped (longer than the claim timeout)
 * @param afterRecovery  load after the fault has been repaired
 * @param kinds          the fault kinds to inject (all of them unless {@code --only} says otherwise)
 */
record SuitePlan(int faultsPerKind, int shards, int enqueuers, int workers, Duration claimTimeout,
                 Duration warmUp, Duration downTime, Duration freeze, Duration afterRecovery, List<FaultKind> kinds) {

  /** A few faults of each kind: part of {@code scripts/test}. */
  static SuitePlan shortRun() {
    return new SuitePlan(1, 3, 1, 2, Duration.ofSeconds(3), Duration.ofMillis(1500), Duration.ofSeconds(1),
        Duration.ofSeconds(6), Duration.ofSeconds(2), List.of(FaultKind.values()));
  }

  /** Ten faults of each kind, with more load: {@code scripts/chaos --long}. */
  static SuitePlan longRun() {
    return new SuitePlan(10, 3, 2, 3, Duration.ofSeconds(3), Duration.ofSeconds(3), Duration.ofSeconds(2),
        Duration.ofSeconds(8), Duration.ofSeconds(3), List.of(FaultKind.values()));
  }

  SuitePlan withFaultsPerKind(int n) {
    return new SuitePlan(n, shards, enqueuers, workers, claimTimeout, warmUp, downTime, freeze, afterRecovery, kinds);
  }

  /** Only faults of one kind ({@code scripts/chaos --only shard-kill}). */
  SuitePlan only(FaultKind kind) {
    return new SuitePlan(faultsPerKind, shards, enqueuers, workers, claimTimeout, warmUp, downTime, freeze,
        afterRecovery, List.of(kind));
  }

  /** The trials in order: every kind once, then every kind again, and so on. */
  List<FaultKind> trials() {
    List<FaultKind> out = new ArrayList<>();
    for (int i = 0; i < faultsPerKind; i++) {
      out.addAll(kinds);
    }
    return out;
  }
}
