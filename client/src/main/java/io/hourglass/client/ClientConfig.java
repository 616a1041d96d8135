package io.hourglass.client;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * How to reach Hourglass: the servers to balance over, timeouts, and the {@code source} sent in
 * every call's RequestContext (recorded as the claimant of dequeued jobs; checkpoints must come
 * from the same source).
 *
 * @param servers        {@code host:port} of every server; requests are load-balanced over them
 * @param connectTimeout longest wait to open a connection to one server
 * @param requestTimeout longest wait for one RPC's answer
 * @param source         RequestContext.source, e.g. {@code "mailer:host7"}
 * @param readAttempts   tries for idempotent reads (lookupJobs, getJobCount, getQueueNames,
 *                       scanJobs); every other RPC is tried once
 */
public record ClientConfig(
    List<String> servers, Duration connectTimeout, Duration requestTimeout, String source, int readAttempts) {

  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(2);
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);
  public static final int DEFAULT_READ_ATTEMPTS = 3;

  public ClientConfig {
    servers = List.copyOf(servers);
    if (servers.isEmpty()) {
      throw new IllegalArgumentException("hourglass client: servers: give at least one host:port");
    }
    servers.forEach(ClientConfig::checkAddress);
    requirePositive("connectTimeout", connectTimeout);
    requirePositive("requestTimeout", requestTimeout);
    if (source == null || source.isBlank()) {
      throw new IllegalArgumentException("hourglass client: source: must not be blank");
    }
    if (readAttempts < 1) {
      throw new IllegalArgumentException("hourglass client: readAttempts: must be at least 1, got " + readAttempts);
    }
  }

  /** Defaults for everything but the servers, given as {@code "host1:9010,host2:9010"}. */
  public static ClientConfig of(String servers) {
    List<String> list = Arrays.stream(servers.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    return new ClientConfig(list, DEFAULT_CONNECT_TIMEOUT, DEFAULT_REQUEST_TIMEOUT, defaultSource(),
        DEFAULT_READ_ATTEMPTS);
  }

  public ClientConfig withConnectTimeout(Duration d) {
    return new ClientConfig(servers, d, requestTimeout, source, readAttempts);
  }

  public ClientConfig withRequestTimeout(Duration d) {
    return new ClientConfig(servers, connectTimeout, d, source, readAttempts);
  }

  public ClientConfig withSource(String s) {
    return new ClientConfig(servers, connectTimeout, requestTimeout, s, readAttempts);
  }

  public ClientConfig withReadAttempts(int n) {
    return new ClientConfig(servers, connectTimeout, requestTimeout, source, n);
  }

  /** The Finagle destination: a comma-separated list, which Finagle load-balances over. */
  public String destination() {
    return String.join(",", servers);
  }

  /** {@code hourglass-client:<host>:<pid>}: unique per process, readable in claim descriptors. */
  public static String defaultSource() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      host = "unknown-host";
    }
    return "hourglass-client:" + host + ":" + ManagementFactory.getRuntimeMXBean().getPid();
  }

  private static void checkAddress(String server) {
    int colon = server.lastIndexOf(':');
    String problem = null;
    if (colon <= 0 || colon == server.length() - 1) {
      problem = "is not host:port";
    } else {
      try {
        int port = Integer.parseInt(server.substring(colon + 1));
        if (port < 1 || port > 65535) {
          problem = "has a port outside 1..65535";
        }
      } catch (NumberFormatException e) {
        problem = "has a port that is not a number";
      }
    }
    if (problem != null) {
      throw new IllegalArgumentException("hourglass client: servers: '" + server + "' " + problem);
    }
  }

  private static void requirePositive(String name, Duration d) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException("hourglass client: " + name + ": must be positive, got " + d);
    }
  }
}
