package io.hourglass.server.admin;

import static io.hourglass.server.admin.Html.esc;
import static io.hourglass.server.admin.Html.shellWord;
import static io.hourglass.server.admin.Html.url;

import io.hourglass.server.queue.JobDescriptor;
import io.hourglass.server.queue.JobFilter;
import io.hourglass.server.queue.JobInfo;
import io.hourglass.server.queue.JobState;
import io.hourglass.server.queue.QueueAdmin;
import io.hourglass.server.queue.QueueException;
import io.hourglass.server.queue.QueueName;
import io.hourglass.server.queue.ScanCursor;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The job browser (one {@code scanJobs} page per view: the only page that scans a shard) and the
 * job page (one {@code lookupJobs}).
 */
final class JobPages {
  static final int PAGE_SIZE = 50;
  /** Bodies longer than this are cut on the job page. */
  static final int BODY_CAP_BYTES = 64 * 1024;

  private final DashboardSources src;
  private final ActionForms forms;

  JobPages(DashboardSources src, ActionForms forms) {
    this.src = src;
    this.forms = forms;
  }

  AdminHttp.Response browser(AdminHttp.Request r) {
    String queue = r.param("queue");
    String state = r.param("state") == null ? "failed" : r.param("state").toLowerCase(Locale.ROOT);
    String priority = blankToNull(r.param("priority"));
    String when = r.param("when") == null ? "any" : r.param("when");
    String regex = blankToNull(r.param("regex"));
    String cont = blankToNull(r.param("cont"));
    StringBuilder b = new StringBuilder(filterForm(queue, state, priority, when, regex));
    if (queue == null || queue.isBlank()) {
      b.append("<p class=\"muted\">Pick a queue.</p>");
      return AdminHttp.Response.html(200, Html.page("Jobs", "Jobs", 0, b.toString()));
    }
    try {
      JobFilter filter = new JobFilter(QueueName.of(queue), state(state), priority == null ? null : priority(priority),
          when.equals("future") ? Boolean.TRUE : when.equals("now") ? Boolean.FALSE : null, regex);
      QueueAdmin.ScanPage page = src.admin().scan(filter, ScanCursor.parse(cont), PAGE_SIZE);
      b.append(jobsTable(page.jobs()));
      if (page.next() != null) {
        b.append("<p><a id=\"next\" href=\"/ui/jobs?").append(query(queue, state, priority, when, regex))
            .append("&amp;cont=").append(url(page.next().token())).append("\">next page →</a></p>");
      }
      b.append(forms.deleteByFilter(queue, state, priority, regex));
    } catch (QueueException | IllegalArgumentException e) {
      b.append("<p class=\"err\" data-test=\"error\">").append(esc(e.getMessage())).append("</p>");
    }
    StringBuilder cmd = new StringBuilder("scripts/hourglass-admin scan ").append(shellWord(queue)).append(" --state ")
        .append(shellWord(state));
    if (priority != null) {
      cmd.append(" --priority ").append(shellWord(priority));
    }
    if (when.equals("future")) {
      cmd.append(" --future");
    }
    if (regex != null) {
      cmd.append(" --regex ").append(shellWord(regex));
    }
    b.append(Html.command(cmd.toString()));
    return AdminHttp.Response.html(200, Html.page("Jobs of " + queue, "Jobs", 0, b.toString()));
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }

  static JobState state(String name) {
    try {
      return JobState.valueOf(name.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw QueueException.badArgument("state", "'" + name + "' is not one of pending, in_progress, succeeded, failed");
    }
  }

  static int priority(String text) {
    try {
      return Integer.parseInt(text);
    } catch (NumberFormatException e) {
      throw QueueException.badArgument("priority", "'" + text + "' is not a number");
    }
  }

  private static String query(String queue, String state, String priority, String when, String regex) {
    return "queue=" + url(queue) + "&amp;state=" + url(state) + (priority == null ? "" : "&amp;priority=" + url(priority))
        + "&amp;when=" + url(when) + (regex == null ? "" : "&amp;regex=" + url(regex));
  }

  private String filterForm(String queue, String state, String priority, String when, String regex) {
    StringBuilder b = new StringBuilder("<form class=\"box\" method=\"get\" action=\"/ui/jobs\"><label>queue <select name=\"queue\">");
    for (String q : src.data().snapshot().queues()) {
      b.append("<option").append(q.equals(queue) ? " selected" : "").append(" value=\"").append(esc(q)).append("\">")
          .append(esc(q)).append("</option>");
    }
    if (queue != null && !src.data().snapshot().queues().contains(queue)) {
      b.append("<option selected value=\"").append(esc(queue)).append("\">").append(esc(queue)).append("</option>");
    }
    b.append("</select></label><label>state <select name=\"state\">");
    for (JobState s : JobState.values()) {
      String n = s.name().toLowerCase(Locale.ROOT);
      b.append("<option").append(n.equals(state) ? " selected" : "").append(">").append(n).append("</option>");
    }
    b.append("</select></label><label>priority <select name=\"priority\"><option value=\"\">all</option>");
    for (int p = 1; p <= src.priorityLevels(); p++) {
      b.append("<option").append(String.valueOf(p).equals(priority) ? " selected" : "").append(">").append(p).append("</option>");
    }
    b.append("</select></label><label>run after <select name=\"when\">");
    for (String w : List.of("any", "now", "future")) {
      b.append("<option").append(w.equals(when) ? " selected" : "").append(">").append(w).append("</option>");
    }
    b.append("</select></label><label>body regex <input name=\"regex\" value=\"").append(regex == null ? "" : esc(regex))
        .append("\" size=\"18\"></label><button type=\"submit\">scan</button></form>");
    return b.toString();
  }

  private static String jobsTable(List<JobInfo> jobs) {
    StringBuilder b = new StringBuilder("<div class=\"scroll\"><table id=\"jobs\"><thead><tr><th>descriptor</th><th>state</th>"
        + "<th class=\"n\">attempts left / allowed</th><th>run after</th><th>updated</th><th>custom status</th></tr></thead><tbody>");
    for (JobInfo j : jobs) {
      b.append("<tr><td><a href=\"/ui/job?d=").append(url(j.descriptor().toString())).append("\">")
          .append(esc(j.descriptor())).append("</a></td><td>").append(j.state().name().toLowerCase(Locale.ROOT))
          .append("</td><td class=\"n\">").append(j.attemptsRemaining()).append(" / ").append(j.attemptsAllowed())
          .append("</td><td>").append(Html.time(j.runAfterMillis())).append("</td><td>").append(Html.time(j.updatedAtMillis()))
          .append("</td><td>").append(esc(cut(j.customStatus(), 120))).append("</td></tr>");
    }
    b.append("</tbody></table></div><p class=\"muted\" data-test=\"shown\">").append(jobs.size()).append(" jobs on this page</p>");
    return b.toString();
  }

  private static String cut(String s, int max) {
    return s == null ? "" : s.length() <= max ? s : s.substring(0, max) + "…";
  }

  AdminHttp.Response job(AdminHttp.Request r) {
    String text = r.param("d");
    boolean base64 = "base64".equals(r.param("as"));
    StringBuilder b = new StringBuilder();
    JobInfo info;
    try {
      JobDescriptor d = JobDescriptor.parse(text == null ? "" : text, "d");
      Map<JobDescriptor, JobInfo> found = src.coordinator().lookup(List.of(d), true);
      info = found.get(d);
      if (info == null) {
        return AdminHttp.Response.html(404, Html.page("Job not found", "Jobs", 0,
            "<p class=\"err\">No job " + esc(text) + ".</p>"));
      }
    } catch (QueueException e) {
      return AdminHttp.Response.html(400, Html.page("Job", "Jobs", 0, "<p class=\"err\">" + esc(e.getMessage()) + "</p>"));
    }
    b.append("<dl id=\"job\"><dt>descriptor</dt><dd data-test=\"descriptor\">").append(esc(info.descriptor()))
        .append("</dd><dt>state</dt><dd data-test=\"state\">").append(info.state().name().toLowerCase(Locale.ROOT))
        .append("</dd><dt>attempts</dt><dd>").append(info.attemptsRemaining()).append(" left of ").append(info.attemptsAllowed())
        .append("</dd><dt>created</dt><dd>").append(Html.time(info.createdAtMillis()))
        .append("</dd><dt>run after</dt><dd>").append(Html.time(info.runAfterMillis()))
        .append("</dd><dt>updated</dt><dd>").append(Html.time(info.updatedAtMillis()))
        .append("</dd><dt>claim holder</dt><dd>").append(info.claimDescriptor() == null ? "—" : esc(info.claimDescriptor()))
        .append("</dd><dt>custom status</dt><dd data-test=\"custom-status\">").append(esc(info.customStatus()))
        .append("</dd></dl>");
    byte[] body = info.body() == null ? new byte[0] : info.body();
    boolean cut = body.length > BODY_CAP_BYTES;
    byte[] shown = cut ? java.util.Arrays.copyOf(body, BODY_CAP_BYTES) : body;
    String utf8 = base64 ? null : utf8(shown);
    String rendered = utf8 != null ? utf8 : Base64.getEncoder().encodeToString(shown);
    b.append("<details id=\"body\"><summary>body: ").append(Html.num(body.length)).append(" bytes, shown as ")
        .append(utf8 != null ? "UTF-8" : "base64").append(cut ? ", first " + Html.num(BODY_CAP_BYTES) + " bytes" : "")
        .append("</summary><pre data-test=\"body\">").append(esc(rendered)).append("</pre></details>")
        .append("<p><a href=\"/ui/job?d=").append(url(text)).append(base64 ? "\">show as UTF-8" : "&amp;as=base64\">show as base64")
        .append("</a></p>");
    b.append(forms.jobActions(info));
    b.append(Html.command("scripts/hourglass-admin lookup " + shellWord(text) + " --body"));
    return AdminHttp.Response.html(200, Html.page("Job " + text, "Jobs", 0, b.toString()));
  }

  /** The bytes as text when they are valid UTF-8 (a cut may split the last character), else null. */
  static String utf8(byte[] bytes) {
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }
}
