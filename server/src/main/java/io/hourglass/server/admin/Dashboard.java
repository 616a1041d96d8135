package io.hourglass.server.admin;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The operators' dashboard on the admin port: the routes of its pages, static files and actions.
 * Pages: {@code /} (Overview), {@code /ui/queues}, {@code /ui/queue?name=}, {@code /ui/jobs},
 * {@code /ui/job?d=}, {@code /ui/shards}, {@code /ui/maintenance}; actions: {@code POST /ui/action},
 * {@code POST /api/pause}, {@code POST /api/resume}, {@code GET /api/csrf}.
 */
public final class Dashboard {
  private final Pages pages;
  private final JobPages jobs;
  private final Actions actions;

  /**
   * @param passwordOk checks the admin password against {@code admin.passwordHash}
   * @param passwordHash the configured hash (keys the CSRF token); empty: no action accepted
   */
  public Dashboard(DashboardSources src, boolean actionsEnabled, String passwordHash, Predicate<String> passwordOk,
      int maxBatch) {
    String csrf = Actions.csrfToken(passwordHash);
    boolean enabled = actionsEnabled && !csrf.isEmpty();
    ActionForms forms = new ActionForms(enabled, csrf, src.priorityLevels(), maxBatch);
    this.pages = new Pages(src, forms);
    this.jobs = new JobPages(src, forms);
    this.actions = new Actions(src, forms, enabled, passwordOk, csrf, maxBatch);
  }

  /** Adds the dashboard's routes to {@code routes}. */
  public Map<String, AdminHttp.Route> routes() {
    Map<String, AdminHttp.Route> r = new HashMap<>();
    r.put("/", AdminHttp.Route.get(q -> AdminHttp.Response.html(200, pages.overview())));
    r.put("/ui/queues", AdminHttp.Route.get(q -> AdminHttp.Response.html(200, pages.queues())));
    r.put("/ui/queue", AdminHttp.Route.get(q -> {
      String name = q.param("name");
      String page = name == null ? null : pages.queue(name);
      return page != null ? AdminHttp.Response.html(200, page) : AdminHttp.Response.html(404,
          Html.page("No such queue", "Queues", 0, "<p class=\"err\">No queue " + Html.esc(name)
              + " in the background counts (yet).</p>"));
    }));
    r.put("/ui/jobs", AdminHttp.Route.get(jobs::browser));
    r.put("/ui/job", AdminHttp.Route.get(jobs::job));
    r.put("/ui/shards", AdminHttp.Route.get(q -> AdminHttp.Response.html(200, pages.shards())));
    r.put("/ui/maintenance", AdminHttp.Route.get(q -> AdminHttp.Response.html(200, pages.maintenance())));
    r.put("/ui/app.css", AdminHttp.Route.get(q -> resource("app.css", "text/css; charset=utf-8")));
    r.put("/ui/app.js", AdminHttp.Route.get(q -> resource("app.js", "text/javascript; charset=utf-8")));
    r.put("/favicon.ico", AdminHttp.Route.get(q -> new AdminHttp.Response(204, "image/x-icon", "")));
    r.put("/ui/action", new AdminHttp.Route(null, actions::ui));
    r.put("/api/pause", new AdminHttp.Route(null, q -> actions.api(q, true)));
    r.put("/api/resume", new AdminHttp.Route(null, q -> actions.api(q, false)));
    r.put("/api/csrf", AdminHttp.Route.get(actions::csrf));
    return r;
  }

  private static AdminHttp.Response resource(String name, String type) {
    try (InputStream in = Dashboard.class.getResourceAsStream(name)) {
      if (in == null) {
        return AdminHttp.Response.text(404, "missing resource " + name + "\n");
      }
      return new AdminHttp.Response(200, type, new String(in.readAllBytes(), StandardCharsets.UTF_8),
          Map.of("Cache-Control", "max-age=300", "X-Content-Type-Options", "nosniff"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
