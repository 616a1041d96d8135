package io.hourglass.server.admin;

import io.hourglass.server.config.QueueConfig;
import io.hourglass.server.health.ShardStatus;
import io.hourglass.server.maintenance.MaintenanceService;
import io.hourglass.server.metrics.ConfigReloads;
import io.hourglass.server.metrics.ServerMetrics;
import io.hourglass.server.queue.Coordinator;
import io.hourglass.server.queue.QueueAdmin;
import java.time.Clock;
import java.util.List;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * Everything the dashboard pages read. All of it is in memory except {@code admin} and
 * {@code coordinator}, which only the job browser (one scan page) and the job page (one lookup)
 * use.
 */
public record DashboardSources(
    Clock clock,
    DashboardData data,
    QueuePauses pauses,
    Supplier<List<ShardStatus>> shards,
    Supplier<List<io.hourglass.server.queue.Shard>> storage,
    IntSupplier liveServers,
    IntSupplier waitingDequeues,
    List<ConfigReloads> reloads,
    ServerMetrics metrics,
    Supplier<QueueConfig> queueConfig,
    List<MaintenanceService> maintenance,
    int priorityLevels,
    QueueAdmin admin,
    Coordinator coordinator) {}
