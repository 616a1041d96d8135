package io.hourglass.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One headless Chromium (Debian's, driven by playwright-core from npm) for a whole test class:
 * {@link #go} loads a page, {@link #click} follows a form or link; each returns what the page
 * shows. Screenshots go to server/target/screenshots/. The browser logs in with HTTP Basic
 * {@code user}/{@code password} when a page asks for it.
 */
public final class Browser implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  public static final Path SCREENSHOTS = Repo.root().resolve("server/target/screenshots");

  /** A page as the browser shows it. */
  public record Page(JsonNode raw) {
    public int status() {
      return raw.path("status").asInt();
    }

    public String title() {
      return raw.path("title").asText();
    }

    /** Texts of the elements with {@code data-test=name}, in document order. */
    public List<String> texts(String name) {
      List<String> out = new ArrayList<>();
      raw.path("tests").path(name).forEach(n -> out.add(n.asText()));
      return out;
    }

    public String text(String name) {
      List<String> t = texts(name);
      if (t.isEmpty()) {
        throw new AssertionError("no data-test=" + name + " on " + raw.path("url").asText() + ": " + raw.path("tests"));
      }
      return t.get(0);
    }

    /** Rows of the table with this id (or data-grid), cells as text (or their data-v sort value). */
    public List<List<String>> table(String id) {
      List<List<String>> rows = new ArrayList<>();
      raw.path("tables").path(id).forEach(r -> {
        List<String> cells = new ArrayList<>();
        r.forEach(c -> cells.add(c.asText()));
        rows.add(cells);
      });
      return rows;
    }

    /** Elements or handlers that markup from the data could have created, and dialogs opened so far. */
    public int injected() {
      return raw.path("injected").asInt() + raw.path("dialogs").asInt();
    }

    public boolean overflowsHorizontally() {
      return raw.path("overflowX").asBoolean();
    }

    public List<String> consoleErrors() {
      List<String> out = new ArrayList<>();
      raw.path("consoleErrors").forEach(n -> out.add(n.asText()));
      return out;
    }
  }

  private final Process process;
  private final Writer in;
  private final BufferedReader out;

  private Browser(Process process) {
    this.process = process;
    this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
  }

  public static Browser start(String baseUrl, String user, String password) {
    Path modules = ForeignClients.playwrightRuntime();
    try {
      Files.createDirectories(SCREENSHOTS);
      ProcessBuilder pb = new ProcessBuilder("node", Repo.root().resolve("server/src/test/browser/dashboard.js").toString(),
          baseUrl, user, password, SCREENSHOTS.toString());
      pb.environment().put("NODE_PATH", modules.toString());
      pb.redirectError(ProcessBuilder.Redirect.INHERIT);
      return new Browser(pb.start());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private synchronized Page send(Map<String, Object> command) {
    try {
      in.write(JSON.writeValueAsString(command) + "\n");
      in.flush();
      String line = out.readLine();
      if (line == null) {
        throw new IllegalStateException("the browser script exited (code " + process.waitFor() + ")");
      }
      JsonNode node = JSON.readTree(line);
      if (node.has("error")) {
        throw new AssertionError("browser: " + node.get("error").asText());
      }
      return new Page(node);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Loads {@code path} (relative to the base URL) on a laptop-sized window; {@code shot} may be null. */
  public Page go(String path, String shot) {
    return send(shot == null ? Map.of("op", "goto", "url", path) : Map.of("op", "goto", "url", path, "shot", shot));
  }

  /** Loads {@code path} on a phone-sized window. */
  public Page goOnPhone(String path, String shot) {
    return send(Map.of("op", "goto", "url", path, "shot", shot, "phone", true));
  }

  /** Clicks {@code selector} on the current laptop page and waits for the page it leads to. */
  public Page click(String selector, String shot) {
    return send(shot == null ? Map.of("op", "click", "selector", selector)
        : Map.of("op", "click", "selector", selector, "shot", shot));
  }

  @Override
  public void close() {
    try {
      in.close(); // end of input: the script closes the browser and exits
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (IOException e) {
      process.destroyForcibly();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
