package io.hourglass.server.maintenance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.hourglass.server.metrics.JobCounter;
import io.hourglass.server.metrics.ServerMetrics;
import io.hourglass.server.config.QueueConfig;
import io.hourglass.server.config.QueueSettings;
import io.hourglass.server.queue.InMemoryBackend;
import io.hourglass.server.queue.JobFilter;
import io.hourglass.server.queue.JobState;
import io.hourglass.server.queue.NewJob;
import io.hourglass.server.queue.QueueName;
import io.hourglass.server.queue.Shard;
import io.hourglass.testing.MutableClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JobExpirerTest {
  final MutableClock clock = MutableClock.startingNow();
  final QueueName q = QueueName.of("q");
  final ServerMetrics metrics = new ServerMetrics();

  @Test
  void aCycleMovesEveryExpiredJobInBatchesAndCountsThem() {
    InMemoryBackend backend = new InMemoryBackend(1, clock);
    backend.createQueue(q);
    List<NewJob> jobs = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      jobs.add(new NewJob(("j" + i).getBytes(), 1, clock.millis(), 1, "").withExpiry(clock.millis() + 1000));
    }
    jobs.add(new NewJob("keeps".getBytes(), 1, clock.millis(), 1, "").withExpiry(clock.millis() + 60_000));
    backend.enqueue(q, jobs);
    QueueSettings d = new QueueSettings(null, Duration.ofMinutes(1), Duration.ofDays(1));
    JobExpirer expirer = new JobExpirer(new MaintenanceService.Context(() -> List.of(new Shard(backend, false)),
        () -> new QueueConfig(Map.of(), d), clock, Duration.ofSeconds(5), 3, metrics));

    assertEquals(Map.of(1, MaintenanceService.Outcome.NOTHING_DUE), expirer.runOnce(),
        "nothing expired yet: the cycle takes no lease");
    assertEquals(0, backend.count(new JobFilter(q, JobState.FAILED, null, null, null)), "nothing expired yet");
    clock.advance(Duration.ofSeconds(5));
    assertEquals(Map.of(1, MaintenanceService.Outcome.RAN), expirer.runOnce());
    assertEquals(7, backend.count(new JobFilter(q, JobState.FAILED, null, null, null)), "batches of 3, looped");
    assertEquals(1, backend.count(new JobFilter(q, JobState.PENDING, null, null, null)));
    assertEquals(7, metrics.counted(JobCounter.EXPIRED, "q"));
  }
}
