package io.hourglass.server.queue;

import io.hourglass.server.queue.QueueException.Kind;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * {@link QueueBackend} in memory, for fast unit tests of everything above the storage seam. It
 * follows the same contract as the MySQL backend ({@link QueueBackendContract} runs against
 * both); one lock makes every call atomic, which is what each MySQL transaction gives. Tests
 * subclass it to inject failures.
 */
public class InMemoryBackend implements QueueBackend {
  private static final class Row {
    long id;
    int priority;
    JobState state;
    long runAfter;
    int attemptsAllowed;
    int attemptsRemaining;
    String customStatus;
    String claimant;
    long createdAt;
    long updatedAt;
    byte[] body;
    String uniqueKey;
    Long expiresAt;
    List<Attempt> attempts = new ArrayList<>();

    /** The key while unfinished, as the MySQL backend's live_unique_key. */
    String liveKey() {
      return state == JobState.PENDING || state == JobState.IN_PROGRESS ? uniqueKey : null;
    }
  }

  private final int shardId;
  private final Clock clock;
  private final Map<String, Map<Long, Row>> queues = new HashMap<>();
  private final Map<Long, Schedule> schedules = new LinkedHashMap<>();
  private final java.util.Random random = new java.util.Random();
  private long nextId = 1;
  private long nextScheduleId = 1;

  public InMemoryBackend(int shardId, Clock clock) {
    this.shardId = shardId;
    this.clock = clock;
  }

  @Override
  public int shardId() {
    return shardId;
  }

  private Map<Long, Row> table(QueueName queue) {
    Map<Long, Row> t = queues.get(queue.value());
    if (t == null) {
      throw new QueueException(Kind.QUEUE_NOT_FOUND, "queueName: queue '" + queue + "' does not exist (shard " + shardId + ")");
    }
    return t;
  }

  private JobDescriptor descriptor(QueueName q, Row r) {
    return new JobDescriptor(q, shardId, r.priority, r.id);
  }

  @Override
  public synchronized void createQueue(QueueName queue) {
    queues.putIfAbsent(queue.value(), new LinkedHashMap<>());
  }

  @Override
  public synchronized void deleteQueue(QueueName queue) {
    queues.remove(queue.value());
  }

  @Override
  public synchronized Set<String> queueNames() {
    return new TreeSet<>(queues.keySet());
  }

  @Override
  public synchronized List<EnqueuedJob> enqueueJobs(QueueName queue, List<NewJob> jobs) {
    Map<Long, Row> t = table(queue);
    long now = clock.millis();
    List<EnqueuedJob> out = new ArrayList<>();
    for (NewJob j : jobs) {
      Row holder = j.uniqueKey() == null ? null : t.values().stream()
          .filter(r -> j.uniqueKey().equals(r.liveKey())).findFirst().orElse(null);
      if (holder != null) {
        out.add(EnqueuedJob.existing(descriptor(queue, holder)));
        continue;
      }
      Row r = new Row();
      r.id = nextId++;
      r.priority = j.priority();
      r.state = JobState.PENDING;
      r.runAfter = j.runAfterMillis();
      r.attemptsAllowed = j.attemptsAllowed();
      r.attemptsRemaining = j.attemptsAllowed();
      r.customStatus = j.customStatus();
      r.createdAt = now;
      r.updatedAt = now;
      r.body = j.body().clone();
      r.uniqueKey = j.uniqueKey();
      r.expiresAt = j.expiresAtMillis();
      t.put(r.id, r);
      out.add(EnqueuedJob.stored(descriptor(queue, r)));
    }
    return out;
  }

  private List<Row> runnable(QueueName queue, int priority, int limit) {
    long now = clock.millis();
    return table(queue).values().stream()
        .filter(r -> r.state == JobState.PENDING && r.priority == priority && r.runAfter <= now)
        .filter(r -> r.expiresAt == null || r.expiresAt > now)
        .sorted(Comparator.<Row>comparingLong(r -> r.runAfter).thenComparingLong(r -> r.id))
        .limit(limit)
        .toList();
  }

  @Override
  public synchronized List<ClaimedJob> claim(ClaimRequest request) {
    List<ClaimedJob> out = new ArrayList<>();
    for (Row r : runnable(request.queue(), request.priority(), request.limit())) {
      r.state = JobState.IN_PROGRESS;
      r.attemptsRemaining--;
      r.claimant = request.claimant();
      r.updatedAt = clock.millis();
      out.add(new ClaimedJob(descriptor(request.queue(), r), r.body.clone(), r.attemptsAllowed,
          r.state.visibleAttemptsRemaining(r.attemptsRemaining)));
    }
    return out;
  }

  @Override
  public synchronized java.util.Map<Integer, Integer> runnableCounts(QueueName queue, int priorityLevels, int cap) {
    java.util.Map<Integer, Integer> out = new java.util.TreeMap<>();
    for (int p = 1; p <= priorityLevels; p++) {
      int n = runnable(queue, p, cap).size();
      if (n > 0) {
        out.put(p, n);
      }
    }
    return out;
  }

  @Override
  public synchronized List<ClaimedJob> peek(ClaimRequest request) {
    return runnable(request.queue(), request.priority(), request.limit()).stream()
        .map(r -> new ClaimedJob(descriptor(request.queue(), r), r.body.clone(), r.attemptsAllowed, r.attemptsRemaining))
        .toList();
  }

  @Override
  public synchronized int releaseClaims(QueueName queue, String claimant, List<JobDescriptor> jobs) {
    int n = 0;
    for (JobDescriptor d : jobs) {
      Row r = table(queue).get(d.localId());
      if (r != null && r.state == JobState.IN_PROGRESS && claimant.equals(r.claimant)) {
        r.state = JobState.PENDING;
        r.attemptsRemaining++;
        r.updatedAt = clock.millis();
        n++;
      }
    }
    return n;
  }

  private static boolean claimedBy(Row r, String claimant) {
    return r != null && r.state == JobState.IN_PROGRESS && claimant.equals(r.claimant);
  }

  private static String append(String status, String more) {
    return Limits.truncate(status + more, Limits.CUSTOM_STATUS_MAX_CHARS);
  }

  @Override
  public synchronized int ackSucceeded(QueueName queue, String claimant, List<Ack> acks) {
    int n = 0;
    for (Ack a : acks) {
      Row r = table(queue).get(a.descriptor().localId());
      if (claimedBy(r, claimant)) {
        r.state = JobState.SUCCEEDED;
        r.customStatus = append(r.customStatus, a.appendCustomStatus());
        r.updatedAt = clock.millis();
        n++;
      }
    }
    return n;
  }

  @Override
  public synchronized int ackFailed(QueueName queue, String claimant, List<Ack> acks) {
    int n = 0;
    long now = clock.millis();
    for (Ack a : acks) {
      Row r = table(queue).get(a.descriptor().localId());
      if (claimedBy(r, claimant)) {
        recordAttempt(r, now, a.appendCustomStatus());
        if (r.attemptsRemaining > 0 && !a.giveUp()) {
          r.state = JobState.PENDING;
          int attempt = r.attemptsAllowed - r.attemptsRemaining;
          r.runAfter = Ack.retryAtMillis(now, a.retryPolicy() == null ? a.retryDelayMillis()
              : a.retryPolicy().delayMillis(attempt, random.nextDouble()));
        } else {
          r.state = JobState.FAILED;
        }
        r.customStatus = append(r.customStatus, a.appendCustomStatus());
        r.updatedAt = now;
        n++;
      }
    }
    return n;
  }

  private static void recordAttempt(Row r, long now, String status) {
    r.attempts.add(new Attempt(r.attemptsAllowed - r.attemptsRemaining, now, r.claimant,
        Limits.truncate(status, 500)));
    while (r.attempts.size() > Attempt.HISTORY_SIZE) {
      r.attempts.remove(0);
    }
  }

  @Override
  public synchronized int checkpoint(QueueName queue, String claimant, List<Checkpoint> checkpoints) {
    int n = 0;
    for (Checkpoint c : checkpoints) {
      Row r = table(queue).get(c.descriptor().localId());
      if (!claimedBy(r, claimant)) {
        continue;
      }
      if (c.newBody() != null) {
        r.body = c.newBody().clone();
      }
      if (c.attemptsAllowed() != null) {
        r.attemptsAllowed = c.attemptsAllowed();
        r.attemptsRemaining = c.attemptsAllowed() - (c.moveToPending() ? 0 : 1);
      } else if (c.moveToPending()) {
        r.attemptsRemaining = Math.min(r.attemptsRemaining + 1, r.attemptsAllowed);
      }
      if (c.moveToPending()) {
        r.state = JobState.PENDING;
        r.runAfter = c.runAfterMillis();
      }
      if (c.prependCustomStatus() != null) {
        r.customStatus = Limits.truncate(c.prependCustomStatus() + r.customStatus, Limits.CUSTOM_STATUS_MAX_CHARS);
      }
      r.updatedAt = clock.millis();
      n++;
    }
    return n;
  }

  private List<Row> matching(JobFilter f) {
    long now = clock.millis();
    Pattern regex = f.bodyRegex() == null ? null : compile(f.bodyRegex());
    return table(f.queue()).values().stream()
        .filter(r -> r.state == f.state())
        .filter(r -> f.priority() == null || r.priority == f.priority())
        .filter(r -> f.future() == null || (f.future() ? r.runAfter > now : r.runAfter <= now))
        .filter(r -> regex == null || regex.matcher(new String(r.body, java.nio.charset.StandardCharsets.UTF_8)).find())
        .toList();
  }

  private static Pattern compile(String regex) {
    try {
      return Pattern.compile(regex);
    } catch (java.util.regex.PatternSyntaxException e) {
      throw QueueException.badArgument("bodyRegexToMatch", "invalid regular expression: " + e.getDescription());
    }
  }

  @Override
  public synchronized long count(JobFilter filter) {
    return matching(filter).size();
  }

  @Override
  public synchronized List<JobInfo> scan(JobFilter filter, ScanCursor after, int limit) {
    return matching(filter).stream()
        .map(r -> info(filter.queue(), r, false, false))
        .filter(j -> after == null || ScanCursor.compare(j, asInfo(after)) > 0)
        .sorted(ScanCursor::compare)
        .limit(limit)
        .toList();
  }

  private JobInfo asInfo(ScanCursor c) {
    return new JobInfo(new JobDescriptor(QueueName.of("x"), c.shardId(), 1, c.localId()), JobState.PENDING,
        0, 0, "", 0, c.runAfterMillis(), 0, null, null);
  }

  @Override
  public synchronized int retryFailed(RetryFailedRequest req) {
    Map<Long, Row> t = table(req.queue());
    List<Row> failed = new ArrayList<>();
    java.util.Set<String> taking = new java.util.HashSet<>();
    for (Row r : t.values()) {
      if (failed.size() >= req.limit()) {
        break;
      }
      boolean keyHeld = r.uniqueKey != null
          && (taking.contains(r.uniqueKey) || t.values().stream().anyMatch(o -> r.uniqueKey.equals(o.liveKey())));
      if (r.state == JobState.FAILED && r.priority == req.priority() && !keyHeld) {
        failed.add(r);
        if (r.uniqueKey != null) {
          taking.add(r.uniqueKey);
        }
      }
    }
    for (Row r : failed) {
      r.state = JobState.PENDING;
      r.attemptsAllowed = req.attemptsToAllow();
      r.attemptsRemaining = req.attemptsToAllow();
      r.runAfter = req.runAfterMillis();
      r.updatedAt = clock.millis();
    }
    return failed.size();
  }

  @Override
  public synchronized int deleteJobs(JobFilter filter, int limit) {
    List<Row> doomed = matching(filter).stream().limit(limit).toList();
    doomed.forEach(r -> table(filter.queue()).remove(r.id));
    return doomed.size();
  }

  @Override
  public synchronized List<JobInfo> lookup(QueueName queue, List<Long> ids, boolean includeBody) {
    List<JobInfo> out = new ArrayList<>();
    for (long id : ids) {
      Row r = table(queue).get(id);
      if (r != null) {
        out.add(info(queue, r, includeBody, true));
      }
    }
    return out;
  }

  /** As the MySQL backend: lookups return the attempt history, scans do not. */
  private JobInfo info(QueueName queue, Row r, boolean withBody, boolean withAttempts) {
    return new JobInfo(descriptor(queue, r), r.state, r.attemptsAllowed,
        r.state.visibleAttemptsRemaining(r.attemptsRemaining), r.customStatus,
        r.createdAt, r.runAfter, r.updatedAt, r.claimant, withBody ? r.body.clone() : null, r.uniqueKey,
        r.expiresAt, withAttempts ? r.attempts : List.of());
  }

  // --- maintenance ---

  @Override
  public synchronized RescueResult rescueExpiredClaims(QueueName queue, long claimedBeforeMillis, int limit) {
    List<Row> expired = table(queue).values().stream()
        .filter(r -> r.state == JobState.IN_PROGRESS && r.updatedAt < claimedBeforeMillis)
        .sorted(Comparator.comparingLong(r -> r.updatedAt))
        .toList();
    int toFailed = 0;
    int toPending = 0;
    for (Row r : expired) {
      boolean fail = r.attemptsRemaining <= 0;
      if (fail ? toFailed >= limit : toPending >= limit) {
        continue;
      }
      recordAttempt(r, clock.millis(), Attempt.CLAIM_TIMED_OUT);
      if (fail) {
        r.state = JobState.FAILED;
        toFailed++;
      } else {
        r.state = JobState.PENDING;
        toPending++;
      }
      r.updatedAt = clock.millis();
    }
    return new RescueResult(toPending, toFailed);
  }

  @Override
  public synchronized int expireJobs(QueueName queue, long nowMillis, int limit) {
    List<Row> expired = table(queue).values().stream()
        .filter(r -> r.state == JobState.PENDING && r.expiresAt != null && r.expiresAt <= nowMillis)
        .sorted(Comparator.comparingLong(r -> r.expiresAt))
        .limit(limit)
        .toList();
    for (Row r : expired) {
      String status = Expiry.status(r.expiresAt);
      r.customStatus = Limits.truncate(status + (r.customStatus.isEmpty() ? "" : "; " + r.customStatus),
          Limits.CUSTOM_STATUS_MAX_CHARS);
      r.state = JobState.FAILED;
      r.expiresAt = null;
      r.updatedAt = nowMillis;
    }
    return expired.size();
  }

  @Override
  public synchronized boolean hasExpiredJobs(QueueName queue, long nowMillis) {
    return table(queue).values().stream()
        .anyMatch(r -> r.state == JobState.PENDING && r.expiresAt != null && r.expiresAt <= nowMillis);
  }

  @Override
  public synchronized int pruneFinished(QueueName queue, JobState state, long finishedBeforeMillis, int limit) {
    List<Long> old = table(queue).values().stream()
        .filter(r -> r.state == state && r.updatedAt < finishedBeforeMillis)
        .sorted(Comparator.comparingLong(r -> r.updatedAt))
        .limit(limit)
        .map(r -> r.id)
        .toList();
    old.forEach(table(queue)::remove);
    return old.size();
  }

  @Override
  public synchronized Map<String, Long> unfinishedJobs() {
    Map<String, Long> out = new LinkedHashMap<>();
    queues.forEach((name, rows) -> {
      long n = rows.values().stream()
          .filter(r -> r.state == JobState.PENDING || r.state == JobState.IN_PROGRESS).count();
      if (n > 0) {
        out.put(name, n);
      }
    });
    return out;
  }

  // --- schedules ---

  @Override
  public synchronized Schedule createSchedule(ScheduleSpec spec, long createdAtMillis, long firstFireAtMillis) {
    Schedule s = new Schedule(nextScheduleId++, spec, firstFireAtMillis, createdAtMillis);
    schedules.put(s.id(), s);
    return s;
  }

  @Override
  public synchronized List<Schedule> listSchedules(QueueName queue) {
    return schedules.values().stream().filter(s -> queue == null || s.spec().queue().equals(queue)).toList();
  }

  @Override
  public synchronized boolean deleteSchedule(long id) {
    return schedules.remove(id) != null;
  }

  @Override
  public synchronized List<Schedule> dueSchedules(long nowMillis, int limit) {
    return schedules.values().stream().filter(s -> s.nextFireAtMillis() <= nowMillis)
        .sorted(Comparator.comparingLong(Schedule::nextFireAtMillis)).limit(limit).toList();
  }

  @Override
  public synchronized boolean advanceSchedule(long id, long expectedNextMillis, long newNextMillis) {
    Schedule s = schedules.get(id);
    if (s == null || s.nextFireAtMillis() != expectedNextMillis) {
      return false;
    }
    schedules.put(id, new Schedule(id, s.spec(), newNextMillis, s.createdAtMillis()));
    return true;
  }

  @Override
  public void close() {}
}
