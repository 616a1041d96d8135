package io.hourglass.server.admin;

import static io.hourglass.server.admin.Html.age;
import static io.hourglass.server.admin.Html.esc;
import static io.hourglass.server.admin.Html.num;
import static io.hourglass.server.admin.Html.rate;
import static io.hourglass.server.admin.Html.url;

import io.hourglass.server.config.QueueSettings;
import io.hourglass.server.health.ShardStatus;
import io.hourglass.server.maintenance.MaintenanceService;
import io.hourglass.server.metrics.ConfigReloads;
import io.hourglass.server.metrics.JobTotals;
import io.hourglass.server.metrics.JobCounter;
import io.hourglass.server.queue.DashboardStore.CountRow;
import io.hourglass.server.queue.DashboardStore.MaintenanceRun;
import io.hourglass.server.queue.DashboardStore.ServerBeat;
import io.hourglass.server.queue.JobInfo;
import io.hourglass.server.queue.JobState;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/** The read-only pages that come from memory: Overview, Queues, Queue detail, Shards, Maintenance. */
final class Pages {
  static final int REFRESH_SECONDS = 10;
  private final DashboardSources src;
  private final ActionForms forms;

  Pages(DashboardSources src, ActionForms forms) {
    this.src = src;
    this.forms = forms;
  }

  private static String card(String label, String value, String test) {
    return "<div class=\"card\"><b data-test=\"" + esc(test) + "\">" + esc(value) + "</b><span>" + esc(label)
        + "</span></div>";
  }

  String overview() {
    DashboardData.Snapshot snap = src.data().snapshot();
    long now = src.clock().millis();
    StringBuilder b = new StringBuilder("<div class=\"cards\">");
    b.append(card("live servers", String.valueOf(src.liveServers().getAsInt()), "live-servers"));
    Map<String, Integer> byState = new TreeMap<>();
    for (ShardStatus s : src.shards().get()) {
      byState.merge(s.state().label(), 1, Integer::sum);
    }
    for (ShardStatus.State st : ShardStatus.State.values()) {
      b.append(card("shards " + st.label(), String.valueOf(byState.getOrDefault(st.label(), 0)), "shards-" + st.label()));
    }
    long pendingNow = 0;
    long future = 0;
    long inProgress = 0;
    long failed = 0;
    long succeeded = 0;
    long oldest = 0;
    for (QueueStats q : snap.stats().values()) {
      pendingNow += q.pendingNow();
      future += q.pendingFuture();
      inProgress += q.inProgress();
      failed += q.failed();
      succeeded += q.succeeded();
      oldest = Math.max(oldest, q.oldestRunnableAgeMillis());
    }
    b.append(card("pending now", num(pendingNow), "total-pending"))
        .append(card("pending future", num(future), "total-future"))
        .append(card("in progress", num(inProgress), "total-in-progress"))
        .append(card("failed", num(failed), "total-failed"))
        .append(card("succeeded", num(succeeded), "total-succeeded"))
        .append(card("oldest runnable job", age(oldest), "oldest-runnable"))
        .append(card("waiting long polls", String.valueOf(src.waitingDequeues().getAsInt()), "waiting"))
        .append(card("queues", String.valueOf(snap.queues().size()), "queue-count"))
        .append("</div>");
    b.append("<h2>Rates on this server</h2><div class=\"scroll\"><table><thead><tr><th></th>"
        + "<th class=\"n\">last 1 min</th><th class=\"n\">last 5 min</th><th class=\"n\">since start</th></tr></thead><tbody>");
    JobTotals t = src.metrics().totals();
    rateRow(b, t, "enqueued", JobCounter.ENQUEUED);
    rateRow(b, t, "dequeued", JobCounter.DEQUEUED);
    rateRow(b, t, "acked ok", JobCounter.ACKED_SUCCEEDED);
    rateRow(b, t, "acked failed", JobCounter.ACKED_FAILED);
    rateRow(b, t, "rescued to pending", JobCounter.RESCUED_PENDING);
    rateRow(b, t, "rescued to failed", JobCounter.RESCUED_FAILED);
    b.append("</tbody></table></div>");
    b.append("<h2>Config reloads</h2><div class=\"scroll\"><table><thead><tr><th>file</th><th>last accepted</th>"
        + "<th>last rejected</th><th>message</th></tr></thead><tbody>");
    for (ConfigReloads r : src.reloads()) {
      ConfigReloads.Event ok = r.lastAccepted();
      ConfigReloads.Event bad = r.lastRejected();
      b.append("<tr><td>").append(esc(r.file())).append("</td><td>").append(ok == null ? "—" : Html.time(ok.atMillis()))
          .append("</td><td>").append(bad == null ? "—" : Html.time(bad.atMillis())).append("</td><td class=\"err\">")
          .append(bad == null ? "" : esc(bad.message())).append("</td></tr>");
    }
    b.append("</tbody></table></div>");
    b.append(countsNote(snap, now));
    b.append(Html.command("scripts/hourglass-admin queues"));
    return Html.page("Overview", "Overview", REFRESH_SECONDS, b.toString());
  }

  private static void rateRow(StringBuilder b, JobTotals t, String label, JobCounter c) {
    b.append("<tr><td>").append(label).append("</td><td class=\"n\">")
        .append(rate(t.ratePerSecond(c, Duration.ofMinutes(1)))).append("</td><td class=\"n\">")
        .append(rate(t.ratePerSecond(c, Duration.ofMinutes(5)))).append("</td><td class=\"n\">")
        .append(num(t.total(c))).append("</td></tr>");
  }

  private static String countsNote(DashboardData.Snapshot snap, long now) {
    StringBuilder b = new StringBuilder("<p class=\"muted\">Counts are background counts, read ")
        .append(age(now - snap.takenAtMillis())).append(" ago.");
    snap.shardErrors().forEach((id, e) -> b.append(" <span class=\"err\">shard ").append(id).append(": ")
        .append(esc(e)).append("</span>"));
    return b.append("</p>").toString();
  }

  String queues() {
    DashboardData.Snapshot snap = src.data().snapshot();
    long now = src.clock().millis();
    StringBuilder b = new StringBuilder("<div class=\"scroll\"><table id=\"queues\"><thead><tr>"
        + "<th data-sort=\"s\">queue</th><th data-sort=\"n\" class=\"n\">pending now</th>"
        + "<th data-sort=\"n\" class=\"n\">pending future</th><th data-sort=\"n\" class=\"n\">in progress</th>"
        + "<th data-sort=\"n\" class=\"n\">failed</th><th data-sort=\"n\" class=\"n\">succeeded</th>"
        + "<th data-sort=\"n\" class=\"n\">oldest runnable</th><th data-sort=\"n\" class=\"n\">oldest claim / timeout</th>"
        + "<th data-sort=\"n\" class=\"n\">rate limit</th><th data-sort=\"n\" class=\"n\">retention</th></tr></thead><tbody>");
    for (QueueStats q : snap.stats().values()) {
      QueueSettings s = src.queueConfig().get().forQueue(q.queue());
      boolean paused = src.pauses().paused().contains(q.queue());
      b.append("<tr data-queue=\"").append(esc(q.queue())).append("\"><td data-v=\"").append(esc(q.queue()))
          .append("\"><a href=\"/ui/queue?name=").append(url(q.queue())).append("\">").append(esc(q.queue()))
          .append("</a>").append(paused ? " <span class=\"badge warn\" data-test=\"paused\">paused</span>" : "")
          .append("</td>")
          .append(numCell(q.pendingNow(), byPriority(q, JobState.PENDING), "pending"))
          .append(numCell(q.pendingFuture(), "", "future"))
          .append(numCell(q.inProgress(), byPriority(q, JobState.IN_PROGRESS), "in-progress"))
          .append(numCell(q.failed(), byPriority(q, JobState.FAILED), "failed"))
          .append(numCell(q.succeeded(), byPriority(q, JobState.SUCCEEDED), "succeeded"))
          .append("<td class=\"n\" data-v=\"").append(q.oldestRunnableAgeMillis()).append("\">")
          .append(age(q.oldestRunnableAgeMillis())).append("</td>")
          .append("<td class=\"n\" data-v=\"").append(q.oldestClaimAgeMillis()).append("\">")
          .append(age(q.oldestClaimAgeMillis())).append(" / ").append(age(s.claimTimeout().toMillis())).append("</td>")
          .append("<td class=\"n\" data-v=\"").append(s.dequeueRateLimit() == null ? "1e18" : s.dequeueRateLimit())
          .append("\">").append(s.dequeueRateLimit() == null ? "none" : esc(s.dequeueRateLimit()) + "/s").append("</td>")
          .append("<td class=\"n\" data-v=\"").append(s.retention().toMillis()).append("\">")
          .append(age(s.retention().toMillis())).append("</td></tr>");
    }
    b.append("</tbody></table></div>").append(countsNote(snap, now))
        .append("<p class=\"muted\">Pending now / in progress / failed / succeeded: hover for the split by priority; "
            + "click a header to sort.</p>")
        .append(Html.command("scripts/hourglass-admin queues"));
    return Html.page("Queues", "Queues", REFRESH_SECONDS, b.toString());
  }

  private String byPriority(QueueStats q, JobState state) {
    StringBuilder t = new StringBuilder();
    for (int p = 1; p <= src.priorityLevels(); p++) {
      t.append(p == 1 ? "" : ", ").append('p').append(p).append(": ").append(q.jobs(state, p));
    }
    return t.toString();
  }

  private static String numCell(long n, String title, String test) {
    return "<td class=\"n\" data-v=\"" + n + "\" data-test=\"" + test + "\"" + (title.isEmpty() ? "" : " title=\""
        + esc(title) + "\"") + ">" + num(n) + "</td>";
  }

  String queue(String name) {
    DashboardData.Snapshot snap = src.data().snapshot();
    QueueStats q = snap.stats().get(name);
    if (q == null) {
      return null;
    }
    long now = src.clock().millis();
    StringBuilder b = new StringBuilder();
    boolean paused = src.pauses().paused().contains(name);
    b.append("<p>").append(paused ? "<span class=\"badge warn\" data-test=\"paused\">paused</span> " : "")
        .append("<a href=\"/ui/jobs?queue=").append(url(name)).append("&amp;state=failed\">browse failed jobs</a> · ")
        .append("<a href=\"/ui/jobs?queue=").append(url(name)).append("&amp;state=pending\">browse pending jobs</a></p>");
    b.append("<h2>Jobs by shard and priority</h2>");
    TreeSet<Integer> shardIds = new TreeSet<>();
    src.shards().get().forEach(s -> shardIds.add(s.id()));
    Map<String, Long> cells = new TreeMap<>();
    for (CountRow r : snap.counts()) {
      if (r.queue().equals(name)) {
        shardIds.add(r.shard());
        cells.merge(r.state() + ":" + r.shard() + ":" + r.priority(), r.jobs(), Long::sum);
      }
    }
    for (JobState st : JobState.values()) {
      b.append("<div class=\"scroll\"><table data-grid=\"").append(st.name().toLowerCase(java.util.Locale.ROOT))
          .append("\"><thead><tr><th>").append(st.name()).append("</th>");
      for (int p = 1; p <= src.priorityLevels(); p++) {
        b.append("<th class=\"n\">p").append(p).append("</th>");
      }
      b.append("</tr></thead><tbody>");
      for (int shard : shardIds) {
        b.append("<tr><td>shard ").append(shard).append("</td>");
        for (int p = 1; p <= src.priorityLevels(); p++) {
          b.append("<td class=\"n\">").append(num(cells.getOrDefault(st + ":" + shard + ":" + p, 0L))).append("</td>");
        }
        b.append("</tr>");
      }
      b.append("</tbody></table></div>");
    }
    b.append("<h2>Latest failed jobs, by custom status</h2>");
    List<JobInfo> failed = src.data().latestFailed(name);
    if (failed.isEmpty()) {
      b.append("<p class=\"muted\">none</p>");
    } else {
      Map<String, List<JobInfo>> groups = new TreeMap<>();
      for (JobInfo j : failed) {
        groups.computeIfAbsent(statusGroup(j.customStatus()), k -> new java.util.ArrayList<>()).add(j);
      }
      b.append("<div class=\"scroll\"><table id=\"failed-groups\"><thead><tr><th>custom status starts with</th>"
          + "<th class=\"n\">jobs</th><th>latest</th></tr></thead><tbody>");
      groups.forEach((g, jobs) -> b.append("<tr><td>").append(esc(g)).append("</td><td class=\"n\">").append(jobs.size())
          .append("</td><td><a href=\"/ui/job?d=").append(url(jobs.get(0).descriptor().toString())).append("\">")
          .append(esc(jobs.get(0).descriptor())).append("</a></td></tr>"));
      b.append("</tbody></table></div><p class=\"muted\">Up to ").append(DashboardData.LATEST_FAILED)
          .append(" latest failed jobs per priority, read with the counts.</p>");
    }
    QueueSettings s = src.queueConfig().get().forQueue(name);
    b.append("<h2>Effective settings</h2><dl><dt>dequeue rate limit</dt><dd>")
        .append(paused ? "0 (paused)" : s.dequeueRateLimit() == null ? "none" : esc(s.dequeueRateLimit()) + " jobs/s")
        .append("</dd><dt>claim timeout</dt><dd>").append(age(s.claimTimeout().toMillis()))
        .append("</dd><dt>retention</dt><dd>").append(age(s.retention().toMillis()))
        .append("</dd><dt>oldest runnable</dt><dd>").append(age(q.oldestRunnableAgeMillis()))
        .append("</dd><dt>oldest claim</dt><dd>").append(age(q.oldestClaimAgeMillis())).append("</dd></dl>");
    b.append(forms.queueActions(name, paused));
    b.append(countsNote(snap, now));
    b.append(Html.command("scripts/hourglass-admin count " + Html.shellWord(name) + " --state failed"));
    return Html.page("Queue " + name, "Queues", REFRESH_SECONDS, b.toString());
  }

  /** The leading part of a custom status: up to the first ':' or 40 characters. */
  static String statusGroup(String status) {
    if (status == null || status.isBlank()) {
      return "(empty)";
    }
    String s = status.strip();
    int colon = s.indexOf(':');
    String head = colon > 0 ? s.substring(0, colon) : s;
    return head.length() > 40 ? head.substring(0, 40) + "…" : head;
  }

  String shards() {
    DashboardData.Snapshot snap = src.data().snapshot();
    StringBuilder b = new StringBuilder("<div class=\"scroll\"><table id=\"shards\"><thead><tr><th>shard</th><th>state</th>"
        + "<th>address</th><th>database</th><th class=\"n\">for</th><th class=\"n\">errors</th><th class=\"n\">downs</th>"
        + "<th class=\"n\">pool active/idle/total</th><th class=\"n\">waiting</th><th>queues synced</th></tr></thead><tbody>");
    for (ShardStatus s : src.shards().get()) {
      String cls = switch (s.state()) {
        case HEALTHY -> "ok";
        case DRAINING -> "warn";
        case DOWN -> "bad";
      };
      b.append("<tr data-shard=\"").append(s.id()).append("\"><td>").append(s.id()).append("</td><td><span class=\"badge ")
          .append(cls).append("\" data-test=\"state\">").append(s.state().label()).append("</span>")
          .append(s.downReason() == null ? "" : " <span class=\"err\">" + esc(s.downReason()) + "</span>")
          .append("</td><td>").append(esc(s.host() + ":" + s.port())).append("</td><td>").append(esc(s.database()))
          .append("</td><td class=\"n\">").append(age(s.millisInState())).append("</td><td class=\"n\">").append(s.errors())
          .append("</td><td class=\"n\">").append(s.downs()).append("</td><td class=\"n\">").append(s.pool().active())
          .append('/').append(s.pool().idle()).append('/').append(s.pool().total()).append("</td><td class=\"n\">")
          .append(s.pool().waiting()).append("</td><td>").append(s.queuesSynced() ? "yes" : "no").append("</td></tr>");
    }
    b.append("</tbody></table></div>");
    for (ShardStatus s : src.shards().get()) {
      if (s.state() != ShardStatus.State.DRAINING) {
        continue;
      }
      b.append("<h2>Draining shard ").append(s.id()).append(": unfinished jobs per queue</h2><div class=\"scroll\"><table>"
          + "<thead><tr><th>queue</th><th class=\"n\">pending + in progress</th></tr></thead><tbody>");
      Map<String, Long> left = new TreeMap<>();
      for (CountRow r : snap.counts()) {
        if (r.shard() == s.id() && (r.state() == JobState.PENDING || r.state() == JobState.IN_PROGRESS)) {
          left.merge(r.queue(), r.jobs(), Long::sum);
        }
      }
      left.forEach((q, n) -> b.append("<tr><td>").append(esc(q)).append("</td><td class=\"n\">").append(num(n))
          .append("</td></tr>"));
      b.append("</tbody></table></div>");
    }
    b.append(countsNote(snap, src.clock().millis()));
    b.append("<p class=\"muted\">As JSON: <a href=\"/shards\">/shards</a></p>");
    b.append(Html.command("curl -s http://HOST:9011/shards"));
    return Html.page("Shards", "Shards", REFRESH_SECONDS, b.toString());
  }

  String maintenance() {
    DashboardData.Snapshot snap = src.data().snapshot();
    long now = src.clock().millis();
    StringBuilder b = new StringBuilder("<h2>Last run per shard and task (recorded in the shard)</h2><div class=\"scroll\">"
        + "<table id=\"maintenance-runs\"><thead><tr><th>shard</th><th>task</th><th>last run</th><th class=\"n\">ago</th>"
        + "<th>by server</th></tr></thead><tbody>");
    for (MaintenanceRun r : snap.runs().stream().sorted((x, y) -> x.shard() != y.shard()
        ? Integer.compare(x.shard(), y.shard()) : x.task().compareTo(y.task())).toList()) {
      b.append("<tr><td>").append(r.shard()).append("</td><td>").append(esc(r.task())).append("</td><td>")
          .append(Html.time(r.lastRunAtMillis())).append("</td><td class=\"n\">").append(age(now - r.lastRunAtMillis()))
          .append("</td><td>").append(esc(r.serverId())).append("</td></tr>");
    }
    b.append("</tbody></table></div><h2>This server's last cycle per shard and task</h2><div class=\"scroll\">"
        + "<table id=\"maintenance-cycles\"><thead><tr><th>task</th><th>shard</th><th>at</th><th>outcome</th>"
        + "<th class=\"n\">rows</th><th class=\"n\">took</th></tr></thead><tbody>");
    for (MaintenanceService m : src.maintenance()) {
      new TreeMap<>(m.lastCycles()).forEach((shard, c) -> b.append("<tr><td>").append(esc(m.task())).append("</td><td>")
          .append(shard).append("</td><td>").append(Html.time(c.atMillis())).append("</td><td>")
          .append(c.outcome().name().toLowerCase(java.util.Locale.ROOT)).append("</td><td class=\"n\">").append(num(c.jobs()))
          .append("</td><td class=\"n\">").append(c.tookMillis()).append(" ms</td></tr>"));
    }
    b.append("</tbody></table></div><p class=\"muted\">rows: jobs rescued (rescue), deleted (gc), count rows stored "
        + "(counts). held_elsewhere / ran_recently: another server did it.</p>");
    b.append("<h2>Server heartbeats</h2><div class=\"scroll\"><table id=\"servers\"><thead><tr><th>server</th>"
        + "<th>last heartbeat</th><th class=\"n\">ago</th></tr></thead><tbody>");
    for (ServerBeat s : snap.servers()) {
      b.append("<tr><td>").append(esc(s.serverId())).append("</td><td>").append(Html.time(s.heartbeatAtMillis()))
          .append("</td><td class=\"n\">").append(age(now - s.heartbeatAtMillis())).append("</td></tr>");
    }
    b.append("</tbody></table></div>").append(countsNote(snap, now));
    b.append(Html.command("curl -s http://HOST:9011/metrics | grep hourglass_maintenance"));
    return Html.page("Maintenance", "Maintenance", REFRESH_SECONDS, b.toString());
  }
}
