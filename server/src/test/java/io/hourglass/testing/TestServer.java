package io.hourglass.testing;

import io.hourglass.server.HourglassServer;
import io.hourglass.server.config.ServerConfig;
import io.hourglass.thrift.PinLater;
import io.hourglass.thrift.RequestContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.thrift.protocol.TBinaryProtocol;
import org.apache.thrift.transport.layered.TFramedTransport;
import org.apache.thrift.transport.TSocket;
import org.apache.thrift.transport.TTransport;
import org.apache.thrift.transport.TTransportException;

/**
 * A real Hourglass server on a free port over the shared local shards, in a database of its own
 * so test classes never see each other's queues.
 */
public final class TestServer implements AutoCloseable {
  public static final RequestContext CONTEXT = new RequestContext().setSource("test:" + ProcessHandle.current().pid());

  private final HourglassServer server;
  private final Path shardFile;
  private final List<TTransport> transports = new ArrayList<>();

  private TestServer(HourglassServer server, Path shardFile) {
    this.server = server;
    this.shardFile = shardFile;
  }

  public static TestServer start(Clock clock, Map<String, String> overrides) {
    return start(clock, overrides, "hg_test_" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffL));
  }

  public static TestServer start(Clock clock, Map<String, String> overrides, String database) {
    LocalShards shards = LocalShards.get();
    try {
      Path file = Files.createTempFile("shards-", ".json");
      Files.writeString(file, shardJson(shards.ports(), database));
      Map<String, String> settings = new java.util.HashMap<>(Map.of(
          "thrift.host", "127.0.0.1", "thrift.port", "0", "admin.port", "0",
          "shardConfig", file.toString(), "pool.connectTimeoutMillis", "1000"));
      settings.putAll(overrides);
      return new TestServer(HourglassServer.start(ServerConfig.load(null, settings), clock), file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (Exception e) {
      throw new IllegalStateException("server did not start: " + e.getMessage(), e);
    }
  }

  /** A server over the shard-config file {@code shardFile} (which the test may then edit). */
  public static TestServer startWithShardFile(Clock clock, Map<String, String> overrides, Path shardFile) {
    Map<String, String> settings = new java.util.HashMap<>(Map.of(
        "thrift.host", "127.0.0.1", "thrift.port", "0", "admin.port", "0",
        "pool.connectTimeoutMillis", "1000"));
    settings.putAll(overrides);
    settings.put("shardConfig", shardFile.toString());
    try {
      return new TestServer(HourglassServer.start(ServerConfig.load(null, settings), clock), shardFile);
    } catch (Exception e) {
      throw new IllegalStateException("server did not start: " + e.getMessage(), e);
    }
  }

  /** A fresh database name, so a test's queues are its own. */
  public static String newDatabase() {
    return "hg_test_" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffL);
  }

  public static String shardJson(List<Integer> ports, String database) {
    StringBuilder sb = new StringBuilder("{\"shards\": [\n");
    for (int i = 0; i < ports.size(); i++) {
      sb.append(String.format(
          "  {\"id\": %d, \"host\": \"127.0.0.1\", \"port\": %d, \"user\": \"root\", \"password\": \"\", \"database\": \"%s\"}%s%n",
          i + 1, ports.get(i), database, i + 1 < ports.size() ? "," : ""));
    }
    return sb.append("]}\n").toString();
  }

  public int port() {
    return server.thriftPort();
  }

  /** An answer of the admin HTTP port. */
  public record HttpAnswer(int status, String contentType, String body) {}

  /** {@code GET path} on the admin port. */
  public HttpAnswer adminGet(String path) {
    try {
      java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(
          java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + server.adminPort() + path))
              .timeout(java.time.Duration.ofSeconds(30)).build(),
          java.net.http.HttpResponse.BodyHandlers.ofString());
      return new HttpAnswer(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), r.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public HourglassServer server() {
    return server;
  }

  public Path shardFile() {
    return shardFile;
  }

  /** A plain Apache Thrift client (framed, binary), as any language's client would be. */
  public synchronized PinLater.Client client() {
    try {
      TTransport t = new TFramedTransport(new TSocket("127.0.0.1", port(), 30_000));
      t.open();
      transports.add(t);
      return new PinLater.Client(new TBinaryProtocol(t));
    } catch (TTransportException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    synchronized (this) {
      transports.forEach(TTransport::close);
    }
    server.close();
  }
}
