package io.hourglass.server.queue;

/** A shard as the coordinator sees it: storage plus whether it takes new jobs. */
public record Shard(QueueBackend backend, boolean dequeueOnly) {
  public int id() {
    return backend.shardId();
  }
}
