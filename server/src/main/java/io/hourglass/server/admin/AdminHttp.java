package io.hourglass.server.admin;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin HTTP port (the JDK's HttpServer): {@code GET} pages and endpoints on fixed paths, and
 * {@code POST} on the paths that change something (form-encoded bodies of at most 64 KiB).
 */
public final class AdminHttp implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AdminHttp.class);
  private static final int MAX_BODY_BYTES = 64 * 1024;

  static {
    // The JDK server writes headers and body separately; with Nagle on, some answers waited
    // ~40 ms for the client's delayed ACK. Read once, when the first HttpServer is made.
    if (System.getProperty("sun.net.httpserver.nodelay") == null) {
      System.setProperty("sun.net.httpserver.nodelay", "true");
    }
  }

  /** One request: query and form parameters (first value of each), and the headers asked for. */
  public record Request(String method, String path, Map<String, String> params, String authorization,
      String cookie, String remote) {
    public String param(String name) {
      return params.get(name);
    }
  }

  /** One answer; {@code headers} are added to the response. */
  public record Response(int status, String type, String body, Map<String, String> headers) {
    public Response(int status, String type, String body) {
      this(status, type, body, Map.of());
    }

    public static Response text(int status, String body) {
      return new Response(status, "text/plain; charset=utf-8", body);
    }

    public static Response html(int status, String body) {
      return new Response(status, "text/html; charset=utf-8", body, Map.of(
          "Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
              + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; connect-src 'self'",
          "X-Content-Type-Options", "nosniff", "Referrer-Policy", "no-referrer", "Cache-Control", "no-store"));
    }
  }

  /** A route's work. */
  @FunctionalInterface
  public interface Handler {
    Response handle(Request request);
  }

  /** A path's handlers: {@code post} null for read-only paths. */
  public record Route(Handler get, Handler post) {
    public static Route get(Handler h) {
      return new Route(h, null);
    }
  }

  private final HttpServer http;
  private final ExecutorService executor;

  /** @param routes exact path → its handlers */
  public AdminHttp(String host, int port, Map<String, Route> routes) throws IOException {
    http = HttpServer.create(new InetSocketAddress(host, port), 16);
    http.createContext("/", ex -> handle(ex, routes));
    executor = Executors.newFixedThreadPool(4, r -> {
      Thread t = new Thread(r, "admin-http");
      t.setDaemon(true);
      return t;
    });
    http.setExecutor(executor);
    http.start();
  }

  private static void handle(HttpExchange ex, Map<String, Route> routes) throws IOException {
    try (ex) {
      Route route = routes.get(ex.getRequestURI().getPath());
      String method = ex.getRequestMethod();
      if (route == null) {
        respond(ex, Response.text(404, "not found; endpoints: " + new java.util.TreeSet<>(routes.keySet()) + "\n"));
        return;
      }
      Handler h = method.equals("GET") || method.equals("HEAD") ? route.get()
          : method.equals("POST") ? route.post() : null;
      if (h == null) {
        ex.getResponseHeaders().set("Allow", route.post() == null ? "GET, HEAD" : route.get() == null ? "POST"
            : "GET, HEAD, POST");
        respond(ex, Response.text(405, "method not allowed\n"));
        return;
      }
      Response r;
      try {
        Map<String, String> params = parse(ex.getRequestURI().getRawQuery());
        if (method.equals("POST")) {
          byte[] body = readBody(ex.getRequestBody());
          if (body == null) {
            respond(ex, Response.text(413, "request body too large\n"));
            return;
          }
          params.putAll(parse(new String(body, StandardCharsets.UTF_8)));
        }
        r = h.handle(new Request(method, ex.getRequestURI().getPath(), params,
            ex.getRequestHeaders().getFirst("Authorization"), ex.getRequestHeaders().getFirst("Cookie"),
            String.valueOf(ex.getRemoteAddress())));
      } catch (RuntimeException e) {
        LOG.error("admin {} {} failed", method, ex.getRequestURI().getPath(), e);
        r = Response.text(500, "error: " + e + "\n");
      }
      respond(ex, r);
    }
  }

  private static byte[] readBody(InputStream in) throws IOException {
    byte[] body = in.readNBytes(MAX_BODY_BYTES + 1);
    return body.length > MAX_BODY_BYTES ? null : body;
  }

  /** {@code a=1&b=2}, URL-decoded; the first value of a repeated name wins. */
  static Map<String, String> parse(String raw) {
    Map<String, String> out = new LinkedHashMap<>();
    if (raw == null || raw.isEmpty()) {
      return out;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      out.putIfAbsent(k, v);
    }
    return out;
  }

  public int port() {
    return http.getAddress().getPort();
  }

  private static void respond(HttpExchange ex, Response r) throws IOException {
    byte[] bytes = r.body().getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", r.type());
    r.headers().forEach((k, v) -> ex.getResponseHeaders().set(k, v));
    boolean head = ex.getRequestMethod().equals("HEAD") || bytes.length == 0; // -1: no body (0 would mean chunked)
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
