package io.hourglass.server.admin;

import static io.hourglass.server.admin.Html.esc;

import io.hourglass.server.queue.JobInfo;
import io.hourglass.server.queue.JobState;

/**
 * The forms of the safe actions, when {@code admin.actions} is on: every one is a POST to
 * {@code /ui/action} carrying the CSRF token; batch actions first answer with a dry-run count
 * and a confirm button.
 */
final class ActionForms {
  private final boolean enabled;
  private final String csrf;
  private final int priorityLevels;
  private final int maxBatch;

  ActionForms(boolean enabled, String csrf, int priorityLevels, int maxBatch) {
    this.enabled = enabled;
    this.csrf = csrf;
    this.priorityLevels = priorityLevels;
    this.maxBatch = maxBatch;
  }

  private String open(String action, String id) {
    return "<form class=\"box\" method=\"post\" action=\"/ui/action\" id=\"" + id + "\">"
        + "<input type=\"hidden\" name=\"csrf\" value=\"" + esc(csrf) + "\">"
        + "<input type=\"hidden\" name=\"action\" value=\"" + esc(action) + "\">";
  }

  private static String hidden(String name, Object value) {
    return "<input type=\"hidden\" name=\"" + esc(name) + "\" value=\"" + esc(value) + "\">";
  }

  String queueActions(String queue, boolean paused) {
    if (!enabled) {
      return "<p class=\"muted\">Actions are off on this server (admin.actions=false).</p>";
    }
    StringBuilder b = new StringBuilder("<h2>Actions</h2>");
    b.append(open(paused ? "resume" : "pause", "pause-form")).append(hidden("queue", queue))
        .append("<button type=\"submit\">").append(paused ? "Resume" : "Pause").append(" queue on every server</button></form>");
    b.append(open("retry-failed", "retry-form")).append(hidden("queue", queue))
        .append("<label>priority <select name=\"priority\">");
    for (int p = 1; p <= priorityLevels; p++) {
      b.append("<option>").append(p).append("</option>");
    }
    b.append("</select></label><label>attempts <input name=\"attempts\" value=\"1\" size=\"3\"></label>")
        .append("<label>at most <input name=\"limit\" value=\"").append(Math.min(1000, maxBatch))
        .append("\" size=\"6\"></label><button type=\"submit\">Redrive failed jobs…</button></form>");
    b.append(deleteForm(queue, "failed", null, null));
    return b.toString();
  }

  String deleteByFilter(String queue, String state, String priority, String regex) {
    return enabled ? deleteForm(queue, state, priority, regex) : "";
  }

  private String deleteForm(String queue, String state, String priority, String regex) {
    StringBuilder b = new StringBuilder(open("delete-jobs", "delete-form")).append(hidden("queue", queue))
        .append("<label>state <select name=\"state\">");
    for (JobState s : JobState.values()) {
      String n = s.name().toLowerCase(java.util.Locale.ROOT);
      b.append("<option").append(n.equals(state) ? " selected" : "").append(">").append(n).append("</option>");
    }
    b.append("</select></label><label>priority <select name=\"priority\"><option value=\"\">all</option>");
    for (int p = 1; p <= priorityLevels; p++) {
      b.append("<option").append(String.valueOf(p).equals(priority) ? " selected" : "").append(">").append(p).append("</option>");
    }
    b.append("</select></label><label>body regex <input name=\"regex\" size=\"14\" value=\"")
        .append(regex == null ? "" : esc(regex)).append("\"></label><label>at most <input name=\"limit\" value=\"")
        .append(Math.min(1000, maxBatch)).append("\" size=\"6\"></label><button type=\"submit\" class=\"danger\">Delete jobs…</button></form>");
    return b.toString();
  }

  String jobActions(JobInfo job) {
    if (!enabled) {
      return "";
    }
    StringBuilder b = new StringBuilder("<h2>Actions</h2>");
    if (job.state() == JobState.FAILED) {
      b.append(open("retry-job", "retry-job-form")).append(hidden("job", job.descriptor()))
          .append("<label>attempts <input name=\"attempts\" value=\"1\" size=\"3\"></label>")
          .append("<button type=\"submit\">Retry this job</button></form>");
    }
    if (job.state() != JobState.IN_PROGRESS) {
      b.append(open("delete-job", "delete-job-form")).append(hidden("job", job.descriptor()))
          .append("<button type=\"submit\" class=\"danger\">Delete this job</button></form>");
    }
    return b.toString();
  }

  /** The dry-run answer: what would change, and a button that sends the same request confirmed. */
  String confirm(String action, java.util.Map<String, String> params, long wouldChange) {
    StringBuilder b = new StringBuilder("<p data-test=\"dry-run\">This would change <b data-test=\"would-change\">")
        .append(wouldChange).append("</b> jobs.</p>").append(open(action, "confirm-form"));
    params.forEach((k, v) -> {
      if (!k.equals("csrf") && !k.equals("action") && !k.equals("confirm")) {
        b.append(hidden(k, v));
      }
    });
    b.append(hidden("confirm", "yes")).append("<button type=\"submit\" class=\"danger\">Yes, ").append(esc(action))
        .append(" up to ").append(wouldChange).append(" jobs</button> <a href=\"/ui/queues\">cancel</a></form>");
    return b.toString();
  }
}
