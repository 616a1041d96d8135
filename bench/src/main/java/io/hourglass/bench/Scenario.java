package io.hourglass.bench;

import java.util.Arrays;
import java.util.Optional;

/** The cells of the benchmark, in the order they run within one run; raw ones go straight to the shards. */
enum Scenario {
  /**
   * The floor under every call: getQueueNames, one read per shard and no write; each call counts
   * as one "job". A closed loop of 5 clients can enqueue no faster than 5 ÷ (this latency + one commit).
   */
  RPC_FLOOR("rpc-floor", "floor: getQueueNames calls (one read per shard, no write)", false),
  ENQUEUE_1("enqueue-1", "enqueue, 1 job per call", false),
  RAW_INSERT_1("raw-insert-1", "raw: one autocommit INSERT per job", true),
  ENQUEUE_100("enqueue-100", "enqueue, 100 jobs per call", false),
  RAW_INSERT_100("raw-insert-100", "raw: 100-row INSERT", true),
  DEQUEUE_PIGGYBACK("dequeue-piggyback", "dequeue + ack, acks piggy-backed", false),
  DEQUEUE_SEPARATE("dequeue-separate", "dequeue + ack, separate ack calls", false),
  /** Paced at half the jobs/s the piggy-backed cell just reached with the same server and shards: latency below saturation. */
  DEQUEUE_HALF_LOAD("dequeue-half-load", "dequeue + ack (piggy-backed) at half the peak rate", false),
  RAW_CLAIM_ACK("raw-claim-ack", "raw: SKIP LOCKED claim 100 + UPDATE … IN ack", true);

  private final String cliName;
  private final String title;
  private final boolean raw;

  Scenario(String cliName, String title, boolean raw) {
    this.cliName = cliName;
    this.title = title;
    this.raw = raw;
  }

  String cliName() {
    return cliName;
  }

  String title() {
    return title;
  }

  boolean raw() {
    return raw;
  }

  boolean dequeues() {
    return this == DEQUEUE_PIGGYBACK || this == DEQUEUE_SEPARATE || this == DEQUEUE_HALF_LOAD || this == RAW_CLAIM_ACK;
  }

  /** The raw reference a server scenario is compared with; empty for raw scenarios. */
  Optional<Scenario> reference() {
    return switch (this) {
      case ENQUEUE_1 -> Optional.of(RAW_INSERT_1);
      case ENQUEUE_100 -> Optional.of(RAW_INSERT_100);
      case DEQUEUE_PIGGYBACK, DEQUEUE_SEPARATE -> Optional.of(RAW_CLAIM_ACK);
      default -> Optional.empty();
    };
  }

  static Scenario ofCliName(String name) {
    return Arrays.stream(values()).filter(s -> s.cliName.equals(name)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("unknown scenario '" + name + "'; known: "
            + String.join(", ", Arrays.stream(values()).map(Scenario::cliName).toList())));
  }
}
