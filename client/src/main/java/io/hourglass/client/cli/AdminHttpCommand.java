package io.hourglass.client.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.Callable;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * A command over the server's authenticated admin HTTP API (the dashboard's; the Thrift API has
 * no pause): {@code GET /api/csrf} for the token, then {@code POST /api/<verb>} with HTTP Basic
 * {@code user:password}. The password is {@code $HOURGLASS_ADMIN_PASSWORD}, else the first line
 * of stdin.
 */
abstract class AdminHttpCommand implements Callable<Integer> {
  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--admin", paramLabel = "URL", defaultValue = "${env:HOURGLASS_ADMIN_URL:-http://127.0.0.1:9011}",
      description = "The server's admin port (default: $HOURGLASS_ADMIN_URL, else ${DEFAULT-VALUE}).")
  String admin;

  @Option(names = "--user", defaultValue = "${env:USER:-operator}",
      description = "Who you are, for the server's log and the pause record (default: $USER).")
  String user;

  @Parameters(paramLabel = "QUEUE", description = "The queue.")
  String queue;

  /** The API path's last part: pause or resume. */
  abstract String verb();

  @Override
  public Integer call() throws Exception {
    String password = System.getenv("HOURGLASS_ADMIN_PASSWORD");
    if (password == null) {
      password = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
    }
    if (password == null) {
      throw new IllegalArgumentException("no admin password: set HOURGLASS_ADMIN_PASSWORD or give it on stdin");
    }
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    String base = admin.endsWith("/") ? admin.substring(0, admin.length() - 1) : admin;
    HttpResponse<String> csrf = send(http, HttpRequest.newBuilder(URI.create(base + "/api/csrf")).GET().build());
    if (csrf.statusCode() != 200) {
      return fail(csrf);
    }
    String auth = Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    HttpResponse<String> r = send(http, HttpRequest.newBuilder(URI.create(base + "/api/" + verb()))
        .header("Authorization", "Basic " + auth)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString("queue=" + URLEncoder.encode(queue, StandardCharsets.UTF_8)
            + "&csrf=" + URLEncoder.encode(csrf.body().trim(), StandardCharsets.UTF_8)))
        .timeout(Duration.ofSeconds(30)).build());
    if (r.statusCode() != 200) {
      return fail(r);
    }
    spec.commandLine().getOut().println(verb().equals("pause") ? "paused " + queue : "resumed " + queue);
    return 0;
  }

  private static HttpResponse<String> send(HttpClient http, HttpRequest request) throws IOException, InterruptedException {
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  private int fail(HttpResponse<String> r) {
    spec.commandLine().getErr().println("hourglass: " + verb() + " refused (HTTP " + r.statusCode() + "): "
        + r.body().trim());
    return Main.EXIT_FAILED;
  }
}
