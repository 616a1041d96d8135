package io.hourglass.server.edge;

import com.twitter.finagle.ListeningServer;
import com.twitter.finagle.Thrift;
import io.hourglass.server.config.ServerConfig;
import io.hourglass.server.dequeue.LongPoll;
import io.hourglass.server.metrics.ServerMetrics;
import io.hourglass.server.queue.Coordinator;
import io.hourglass.server.queue.QueueAdmin;
import io.hourglass.server.queue.QueueName;
import io.hourglass.server.queue.RetryPolicy;
import io.hourglass.server.ratelimit.DequeueRateLimiter;
import io.hourglass.server.schedule.Schedules;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.concurrent.ExecutorService;
import java.util.function.Function;
import java.util.function.IntPredicate;

/**
 * The Thrift edge as the server's assembly starts it: the {@link PinLaterService} behind the
 * {@link ThriftDispatcher}, served by Finagle's Thrift server with the {@link BoundedProtocol} and
 * the frame limit ({@link FrameLimitedThriftServer}); bad input of every kind goes to one
 * {@link MalformedRequestLog}. Everything else in this package stays package-private.
 */
public final class ThriftEdge {
  /**
   * What the assembly hands the edge: what it calls into, which shard ids are configured (for
   * descriptors) and each queue's retry policy (null: none), both read per request.
   */
  public record Wiring(
      Coordinator coordinator, QueueAdmin admin, LongPoll longPoll, ServerMetrics metrics,
      DequeueRateLimiter dequeueLimiter, Schedules schedules, IntPredicate shardConfigured,
      Function<QueueName, RetryPolicy> retryPolicies) {}

  private ThriftEdge() {}

  /**
   * Serves the PinLater API on {@code thrift.host}:{@code thrift.port}, handlers on {@code workers};
   * closing the returned server stops it.
   */
  public static ListeningServer serve(ServerConfig config, Clock clock, ExecutorService workers, Wiring wiring) {
    RequestReader reader = new RequestReader(clock, new RequestReader.Bounds(
        config.priorityLevels(), config.maxDequeueLimit(), config.maxDequeueWait().toMillis()),
        wiring.shardConfigured(), wiring.retryPolicies());
    BoundedProtocol protocol = new BoundedProtocol(config.thriftLimits());
    MalformedRequestLog malformed = MalformedRequestLog.toServerLog(clock);
    PinLaterService service = new PinLaterService(new PinLaterService.Parts(wiring.coordinator(), wiring.admin(),
        reader, new DeleteGuard(config.deletePasswordHash()), wiring.longPoll(), wiring.metrics(),
        new PinLaterService.Admission(wiring.dequeueLimiter(), new EnqueueGate(config.maxConcurrentEnqueues())),
        wiring.schedules()));
    Thrift.Server finagle = Thrift.server()
        .withLabel("hourglass")
        // JDBC blocks: handlers run on this pool, never on Finagle's I/O threads.
        .withExecutionOffloaded(workers)
        // Finagle reads message headers with it too (for its TTwitter upgrade): strict and bounded.
        .withProtocolFactory(protocol)
        // ... and a header it cannot read is one rate-limited line, not a stack trace per frame.
        .withMonitor(new MalformedInputMonitor(malformed));
    return new FrameLimitedThriftServer(finagle, config.thriftLimits().maxFrameBytes(), malformed::report)
        .serve(new InetSocketAddress(config.thriftHost(), config.thriftPort()),
            new ThriftDispatcher(service, protocol, malformed));
  }
}
