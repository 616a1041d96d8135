package io.hourglass.chaos;

/** The faults the suite injects; one per trial. */
enum FaultKind {
  /** kill -9 the only server the clients know, then restart it. */
  SERVER_KILL("server kill -9"),
  /** kill -9 one of two servers the clients balance over, then restart it. */
  ONE_OF_TWO_SERVERS_KILL("1-of-2 server kill -9"),
  /** kill -9 one shard's mariadbd, then restart it on its data. */
  SHARD_KILL("shard kill -9"),
  /** kill -9 one worker process and start a new one. */
  WORKER_KILL("worker kill -9"),
  /** SIGSTOP one shard's mariadbd for longer than the claim timeout, then SIGCONT. */
  SHARD_FREEZE("shard SIGSTOP");

  final String label;

  FaultKind(String label) {
    this.label = label;
  }
}
