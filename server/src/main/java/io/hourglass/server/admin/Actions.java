package io.hourglass.server.admin;

import static io.hourglass.server.admin.Html.esc;

import io.hourglass.server.queue.DashboardStore;
import io.hourglass.server.queue.JobDescriptor;
import io.hourglass.server.queue.JobFilter;
import io.hourglass.server.queue.JobState;
import io.hourglass.server.queue.QueueException;
import io.hourglass.server.queue.QueueName;
import io.hourglass.server.queue.RetryFailedRequest;
import io.hourglass.server.queue.Shard;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.function.Predicate;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dashboard's safe actions (POST only): pause / resume a queue, redrive failed jobs, delete
 * jobs by state / priority / regex, retry or delete one job. Never deleteQueue.
 *
 * <p>How is this designed, and why? Off unless {@code admin.actions=true}, and then only with
 * the operators' credential: HTTP Basic, {@code <who>:<password>}, the password checked against
 * the salted PBKDF2 hash {@code admin.passwordHash} (the same scheme as deleteQueue's password);
 * {@code who} is what the log and the pause record name. Because a browser resends Basic
 * credentials by itself, every POST also carries a CSRF token that only a page of this origin
 * can read: an HMAC of a fixed label keyed by the password hash, so every server of a cluster
 * (same config) issues and accepts the same token. Batch actions answer a request without
 * {@code confirm=yes} with a dry-run count, and change at most {@code admin.maxBatch} jobs.
 * Every action is logged (who, from where, what, how many) and counted in
 * {@code hourglass_admin_actions_total{action,outcome}}.
 */
final class Actions {
  private static final Logger LOG = LoggerFactory.getLogger(Actions.class);

  /** What went wrong, as an HTTP status. */
  private static final class Refused extends RuntimeException {
    final int status;

    Refused(int status, String message) {
      super(message);
      this.status = status;
    }
  }

  private record Who(String name, String remote) {
    @Override
    public String toString() {
      return name + "@" + remote;
    }
  }

  private final DashboardSources src;
  private final ActionForms forms;
  private final boolean enabled;
  private final Predicate<String> passwordOk;
  private final String csrf;
  private final int maxBatch;

  Actions(DashboardSources src, ActionForms forms, boolean enabled, Predicate<String> passwordOk, String csrf,
      int maxBatch) {
    this.src = src;
    this.forms = forms;
    this.enabled = enabled;
    this.passwordOk = passwordOk;
    this.csrf = csrf;
    this.maxBatch = maxBatch;
  }

  /** The CSRF token of a server whose credential hash is {@code passwordHash} (empty: none). */
  static String csrfToken(String passwordHash) {
    if (passwordHash == null || passwordHash.isEmpty()) {
      return "";
    }
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(passwordHash.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal("hourglass-dashboard-csrf-v1".getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }

  /** GET /api/csrf: the token, for scripts (pages embed it in their forms). */
  AdminHttp.Response csrf(AdminHttp.Request r) {
    if (!enabled || csrf.isEmpty()) {
      return AdminHttp.Response.text(403, "actions are off on this server (admin.actions / admin.passwordHash)\n");
    }
    return AdminHttp.Response.text(200, csrf + "\n");
  }

  /** POST /ui/action: answers with an HTML page. */
  AdminHttp.Response ui(AdminHttp.Request r) {
    String action = String.valueOf(r.param("action"));
    try {
      Who who = authorize(r, action);
      String result = perform(action, r, who);
      return AdminHttp.Response.html(200, Html.page("Action: " + action, "", 0, result));
    } catch (Refused e) {
      return refusal(e, action, true);
    } catch (QueueException e) {
      src.metrics().adminAction(action, "failed", 0);
      return AdminHttp.Response.html(400, Html.page("Action failed", "", 0, "<p class=\"err\" data-test=\"error\">"
          + esc(e.getMessage()) + "</p>"));
    }
  }

  /** POST /api/pause and /api/resume (for the CLIs): answers with one line of JSON. */
  AdminHttp.Response api(AdminHttp.Request r, boolean pause) {
    String action = pause ? "pause" : "resume";
    try {
      Who who = authorize(r, action);
      QueueName queue = queue(r.param("queue"));
      setPaused(queue, pause, who);
      return new AdminHttp.Response(200, "application/json", "{\"queue\":\"" + queue + "\",\"paused\":" + pause + "}\n");
    } catch (Refused e) {
      return refusal(e, action, false);
    } catch (QueueException e) {
      src.metrics().adminAction(action, "failed", 0);
      return new AdminHttp.Response(400, "application/json", "{\"error\":" + json(e.getMessage()) + "}\n");
    }
  }

  private AdminHttp.Response refusal(Refused e, String action, boolean html) {
    src.metrics().adminAction(action, "refused", 0);
    Map<String, String> headers = e.status == 401
        ? Map.of("WWW-Authenticate", "Basic realm=\"hourglass-admin\", charset=\"UTF-8\"") : Map.of();
    if (html) {
      AdminHttp.Response page = AdminHttp.Response.html(e.status, Html.page("Refused", "", 0,
          "<p class=\"err\" data-test=\"error\">" + esc(e.getMessage()) + "</p>"));
      Map<String, String> all = new java.util.HashMap<>(page.headers());
      all.putAll(headers);
      return new AdminHttp.Response(page.status(), page.type(), page.body(), all);
    }
    return new AdminHttp.Response(e.status, "application/json", "{\"error\":" + json(e.getMessage()) + "}\n", headers);
  }

  private static String json(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (c < 0x20 || c == '<' || c == '>' || c == '&') {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.append('"').toString();
  }

  private Who authorize(AdminHttp.Request r, String action) {
    if (!enabled || csrf.isEmpty()) {
      throw new Refused(403, "actions are off on this server: set admin.actions=true and admin.passwordHash");
    }
    String auth = r.authorization();
    if (auth == null || !auth.regionMatches(true, 0, "Basic ", 0, 6)) {
      throw new Refused(401, "credential required (HTTP Basic: your name and the admin password)");
    }
    String decoded;
    try {
      decoded = new String(Base64.getDecoder().decode(auth.substring(6).trim()), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new Refused(401, "malformed Basic credential");
    }
    int colon = decoded.indexOf(':');
    String name = colon < 0 ? "" : decoded.substring(0, colon);
    if (colon < 0 || !passwordOk.test(decoded.substring(colon + 1))) {
      LOG.warn("admin action {} refused: wrong credential for '{}' from {}", action, name, r.remote());
      throw new Refused(401, "wrong admin credential");
    }
    String token = r.param("csrf");
    if (token == null || !MessageDigest.isEqual(token.getBytes(StandardCharsets.UTF_8),
        csrf.getBytes(StandardCharsets.UTF_8))) {
      LOG.warn("admin action {} refused: missing or wrong CSRF token, '{}' from {}", action, name, r.remote());
      throw new Refused(403, "missing or wrong CSRF token: submit the form from a dashboard page");
    }
    return new Who(name.isBlank() ? "anonymous" : name, r.remote());
  }

  private String perform(String action, AdminHttp.Request r, Who who) {
    boolean confirmed = "yes".equals(r.param("confirm"));
    return switch (action) {
      case "pause", "resume" -> {
        QueueName q = queue(r.param("queue"));
        setPaused(q, action.equals("pause"), who);
        yield "<p data-test=\"done\">Queue " + esc(q) + (action.equals("pause") ? " paused" : " resumed")
            + " on every shard; every server applies it within one config poll.</p><p><a href=\"/ui/queue?name="
            + Html.url(q.value()) + "\">back to the queue</a></p>";
      }
      case "retry-failed" -> retryFailed(r, who, confirmed);
      case "delete-jobs" -> deleteJobs(r, who, confirmed);
      case "retry-job", "delete-job" -> oneJob(action, r, who);
      default -> throw new Refused(400, "unknown action '" + action + "'");
    };
  }

  private void setPaused(QueueName queue, boolean pause, Who who) {
    if (!src.data().snapshot().queues().contains(queue.value()) && !src.coordinator().queueNames().contains(queue.value())) {
      throw new QueueException(QueueException.Kind.QUEUE_NOT_FOUND, "queue: '" + queue + "' does not exist");
    }
    src.pauses().set(queue, pause, who.toString());
    LOG.info("admin action {} by {}: queue {}", pause ? "pause" : "resume", who, queue);
    src.metrics().adminAction(pause ? "pause" : "resume", "done", 0);
  }

  private String retryFailed(AdminHttp.Request r, Who who, boolean confirmed) {
    QueueName q = queue(r.param("queue"));
    int priority = JobPages.priority(required(r, "priority"));
    int attempts = number(r.param("attempts"), 1, "attempts", 1, 1000);
    int limit = number(r.param("limit"), 1000, "limit", 1, maxBatch);
    if (!confirmed) {
      long n = Math.min(limit, src.admin().count(new JobFilter(q, JobState.FAILED, priority, null, null)));
      src.metrics().adminAction("retry-failed", "dry_run", 0);
      return forms.confirm("retry-failed", r.params(), n);
    }
    int moved = src.admin().retryFailed(new RetryFailedRequest(q, priority, attempts, src.clock().millis(), limit));
    LOG.info("admin action retry-failed by {}: queue {}, priority {}, attempts {}, limit {}: {} jobs", who, q, priority,
        attempts, limit, moved);
    src.metrics().adminAction("retry-failed", "done", moved);
    return "<p data-test=\"done\">Redrove <b data-test=\"changed\">" + moved + "</b> failed jobs of " + esc(q)
        + " (priority " + priority + ").</p>";
  }

  private String deleteJobs(AdminHttp.Request r, Who who, boolean confirmed) {
    QueueName q = queue(r.param("queue"));
    JobState state = JobPages.state(required(r, "state"));
    String p = r.param("priority");
    Integer priority = p == null || p.isBlank() ? null : JobPages.priority(p);
    String regex = r.param("regex") == null || r.param("regex").isBlank() ? null : r.param("regex");
    int limit = number(r.param("limit"), 1000, "limit", 1, maxBatch);
    JobFilter filter = new JobFilter(q, state, priority, null, regex);
    if (!confirmed) {
      long n = Math.min(limit, src.admin().count(filter));
      src.metrics().adminAction("delete-jobs", "dry_run", 0);
      return forms.confirm("delete-jobs", r.params(), n);
    }
    int deleted = src.admin().deleteJobs(filter, limit);
    LOG.info("admin action delete-jobs by {}: queue {}, state {}, priority {}, regex {}, limit {}: {} jobs", who, q,
        state, priority, regex, limit, deleted);
    src.metrics().adminAction("delete-jobs", "done", deleted);
    return "<p data-test=\"done\">Deleted <b data-test=\"changed\">" + deleted + "</b> jobs of " + esc(q) + ".</p>";
  }

  private String oneJob(String action, AdminHttp.Request r, Who who) {
    JobDescriptor d = JobDescriptor.parse(required(r, "job"), "job");
    Shard shard = src.storage().get().stream().filter(x -> x.id() == d.shardId()).findFirst()
        .orElseThrow(() -> QueueException.badArgument("job", "shard " + d.shardId() + " is not configured"));
    DashboardStore store = shard.backend().dashboard();
    int changed = action.equals("retry-job")
        ? store.retryFailedJob(d.queue(), d.localId(), number(r.param("attempts"), 1, "attempts", 1, 1000),
            src.clock().millis())
        : store.deleteJob(d.queue(), d.localId());
    LOG.info("admin action {} by {}: job {}: {} changed", action, who, d, changed);
    src.metrics().adminAction(action, "done", changed);
    return "<p data-test=\"done\">" + (changed == 1 ? (action.equals("retry-job") ? "Retried " : "Deleted ")
        : "Nothing changed (not FAILED, or IN_PROGRESS, or gone): ") + "<b data-test=\"changed\">" + changed
        + "</b> job " + esc(d) + ".</p><p><a href=\"/ui/job?d=" + Html.url(d.toString()) + "\">the job</a></p>";
  }

  private static QueueName queue(String name) {
    if (name == null || name.isBlank()) {
      throw QueueException.badArgument("queue", "is required");
    }
    return QueueName.of(name);
  }

  private static String required(AdminHttp.Request r, String name) {
    String v = r.param(name);
    if (v == null || v.isBlank()) {
      throw QueueException.badArgument(name, "is required");
    }
    return v;
  }

  private static int number(String text, int dflt, String field, int min, int max) {
    if (text == null || text.isBlank()) {
      return Math.min(dflt, max);
    }
    try {
      int v = Integer.parseInt(text.trim());
      if (v < min || v > max) {
        throw QueueException.badArgument(field, v + " is outside " + min + ".." + max);
      }
      return v;
    } catch (NumberFormatException e) {
      throw QueueException.badArgument(field, "'" + text + "' is not a number");
    }
  }
}
