package io.hourglass.server.edge;

import com.twitter.finagle.Stack;
import com.twitter.finagle.thrift.transport.netty4.Netty4Transport;
import io.netty.channel.ChannelPipeline;
import scala.Function1;
import scala.runtime.BoxedUnit;

/**
 * Finagle's own channel pipeline for a Thrift server (framer + byte codec). Scala code may not
 * name it (it is {@code private[finagle]}); Java may, so {@link FrameLimitedThriftServer} gets it
 * here.
 */
final class FinagleThriftPipeline {
  private FinagleThriftPipeline() {}

  static Function1<ChannelPipeline, BoxedUnit> server(Stack.Params params) {
    return Netty4Transport.ServerPipelineInit().apply(params);
  }
}
