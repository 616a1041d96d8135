package io.hourglass.server;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The admin HTTP port: {@code GET} on a few fixed paths (/health, /shards, /metrics). */
final class AdminHttp implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AdminHttp.class);

  /** One answer of an admin endpoint. */
  record Response(int status, String type, String body) {
    static Response text(int status, String body) {
      return new Response(status, "text/plain; charset=utf-8", body);
    }
  }

  private final HttpServer http;
  private final ExecutorService executor;

  /** @param routes exact path → answer; computed per request */
  AdminHttp(String host, int port, Map<String, Supplier<Response>> routes) throws IOException {
    http = HttpServer.create(new InetSocketAddress(host, port), 16);
    http.createContext("/", ex -> handle(ex, routes));
    executor = Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "admin-http");
      t.setDaemon(true);
      return t;
    });
    http.setExecutor(executor);
    http.start();
  }

  private static void handle(HttpExchange ex, Map<String, Supplier<Response>> routes) throws IOException {
    try (ex) {
      Supplier<Response> route = routes.get(ex.getRequestURI().getPath());
      if (route == null) {
        respond(ex, Response.text(404, "not found; endpoints: " + new java.util.TreeSet<>(routes.keySet()) + "\n"));
      } else if (!ex.getRequestMethod().equals("GET") && !ex.getRequestMethod().equals("HEAD")) {
        ex.getResponseHeaders().set("Allow", "GET, HEAD");
        respond(ex, Response.text(405, "only GET\n"));
      } else {
        Response r;
        try {
          r = route.get();
        } catch (RuntimeException e) {
          LOG.error("admin {} failed", ex.getRequestURI(), e);
          r = Response.text(500, "error: " + e + "\n");
        }
        respond(ex, r);
      }
    }
  }

  int port() {
    return http.getAddress().getPort();
  }

  private static void respond(HttpExchange ex, Response r) throws IOException {
    byte[] bytes = r.body().getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", r.type());
    boolean head = ex.getRequestMethod().equals("HEAD");
    ex.sendResponseHeaders(r.status(), head ? -1 : bytes.length);
    if (!head) {
      try (OutputStream out = ex.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  @Override
  public void close() {
    http.stop(0);
    executor.shutdownNow();
  }
}
