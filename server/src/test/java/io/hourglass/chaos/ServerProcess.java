package io.hourglass.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One Hourglass server as its own process ({@code java -jar hourglass-server.jar} when
 * {@code serverJar} is given, else {@code io.hourglass.server.Main} on this classpath), on fixed
 * ports so that clients find it again after a restart.
 */
final class ServerProcess {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
  private static final List<String> JVM_OPTIONS = List.of("-Xmx256m", "-XX:+ExitOnOutOfMemoryError");

  private final String name;
  private final int thriftPort;
  private final int adminPort;
  private final List<String> settings;
  private final Path serverJar;
  private final Path log;
  private ChildJvm jvm;

  ServerProcess(String name, int thriftPort, int adminPort, List<String> settings, Path serverJar, Path log) {
    this.name = name;
    this.thriftPort = thriftPort;
    this.adminPort = adminPort;
    this.settings = settings;
    this.serverJar = serverJar;
    this.log = log;
  }

  String address() {
    return "127.0.0.1:" + thriftPort;
  }

  String name() {
    return name;
  }

  /** Starts it and waits until its admin port answers. */
  void start() {
    launch();
    awaitUp();
  }

  /** Starts the process without waiting (several servers can then start at once). */
  void launch() {
    List<String> args = new ArrayList<>(settings);
    args.addAll(List.of("thrift.host=127.0.0.1", "thrift.port=" + thriftPort, "admin.port=" + adminPort));
    if (serverJar != null) {
      List<String> cmd = new ArrayList<>(List.of(ChildJvm.java()));
      cmd.addAll(JVM_OPTIONS);
      cmd.addAll(List.of("-jar", serverJar.toString()));
      cmd.addAll(args);
      jvm = ChildJvm.start(name, log, cmd);
    } else {
      jvm = ChildJvm.startMain(name, log, JVM_OPTIONS, io.hourglass.server.Main.class, args);
    }
  }

  /** Waits until the launched server's admin port answers. */
  void awaitUp() {
    long until = System.currentTimeMillis() + 90_000;
    while (System.currentTimeMillis() < until) {
      if (!jvm.isAlive()) {
        throw new IllegalStateException(name + " exited at start; see " + log);
      }
      if (get("/health") != null) {
        return;
      }
      Pause.sleep(100);
    }
    throw new IllegalStateException(name + " did not answer on admin port " + adminPort + " within 90 s; see " + log);
  }

  void kill9() {
    jvm.kill9();
  }

  void stop() {
    if (jvm != null && jvm.isAlive()) {
      jvm.kill9();
    }
  }

  /** One shard as {@code GET /shards} lists it: its state and how often it has gone down so far. */
  record ShardState(String state, long downs) {
    boolean healthy() {
      return state.equals("healthy");
    }
  }

  /** Shard id → its state from {@code GET /shards}; empty if the server does not answer. */
  Map<Integer, ShardState> shardStates() {
    Map<Integer, ShardState> out = new TreeMap<>();
    String body = get("/shards");
    if (body == null) {
      return out;
    }
    try {
      for (JsonNode n : JSON.readTree(body).get("shards")) {
        out.put(n.get("id").asInt(), new ShardState(n.get("state").asText(), n.path("downs").asLong()));
      }
    } catch (IOException e) {
      throw new IllegalStateException(name + ": GET /shards is not the expected JSON: " + body, e);
    }
    return out;
  }

  private String get(String path) {
    try {
      HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + path))
          .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
      return r.body();
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
