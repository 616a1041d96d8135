package io.hourglass.server.queue;

/** The storage contract on the in-memory backend. */
class InMemoryBackendContractTest extends QueueBackendContract {
  @Override
  protected QueueBackend newBackend() {
    return new InMemoryBackend(1, clock);
  }
}
