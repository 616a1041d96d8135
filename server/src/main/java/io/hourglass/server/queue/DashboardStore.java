package io.hourglass.server.queue;

import java.util.List;

/**
 * What one shard stores for the operators' dashboard, so that every server serves the same view:
 * background job counts, queue pauses, the maintenance record and server heartbeats; and the
 * one-job edits the dashboard offers. Reached through {@link QueueBackend#dashboard()}.
 */
public interface DashboardStore {
  /**
   * Jobs of one queue on one shard in one (state, priority), as last counted.
   *
   * @param futureJobs of those, jobs whose runAfter was still ahead when counted
   * @param oldestRunAfterMillis smallest runAfter among them (null: none)
   * @param oldestClaimMillis for IN_PROGRESS rows: the oldest claim's last update over the
   *     queue's whole shard, not per priority (null: none)
   */
  record CountRow(String queue, int shard, JobState state, int priority, long jobs, long futureJobs,
      Long oldestRunAfterMillis, Long oldestClaimMillis, long countedAtMillis) {}

  /** The latest pause or resume of a queue stored on this shard. */
  record Pause(String queue, boolean paused, long changedAtMillis, String changedBy) {}

  /** When a maintenance task last ran on this shard, and which server ran it. */
  record MaintenanceRun(int shard, String task, long lastRunAtMillis, String serverId) {}

  /** A server's last heartbeat. */
  record ServerBeat(String serverId, long heartbeatAtMillis) {}

  /** Counts the queue's jobs (index-only) and stores the rows on the shard, replacing the old ones. */
  List<CountRow> refreshCounts(QueueName queue, long nowMillis);

  /** The stored counts of every queue that still exists on the shard. */
  List<CountRow> storedCounts();

  void storePause(QueueName queue, boolean paused, long nowMillis, String changedBy);

  List<Pause> pauses();

  List<MaintenanceRun> maintenanceRuns();

  List<ServerBeat> servers();

  /** FAILED job → PENDING with these attempts, runnable at {@code nowMillis}; returns 1 or 0. */
  int retryFailedJob(QueueName queue, long id, int attempts, long nowMillis);

  /** Deletes one job unless it is IN_PROGRESS (a worker has it); returns 1 or 0. */
  int deleteJob(QueueName queue, long id);
}
