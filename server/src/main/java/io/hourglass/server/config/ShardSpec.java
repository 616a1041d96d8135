package io.hourglass.server.config;

/**
 * One shard as ops describe it in the shard-config file.
 *
 * @param id the number in job descriptors ({@code s<id>}); never reuse an id for other data
 * @param dequeueOnly drain mode: no new enqueues, everything else continues
 */
public record ShardSpec(
    int id, String host, int port, String user, String password, String database, boolean dequeueOnly) {

  /** Identity of the connection: a change of any of these needs a new pool. */
  public String connectionKey() {
    return user + "@" + host + ":" + port + "/" + database;
  }
}
