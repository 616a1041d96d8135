package io.hourglass.server.edge

import com.twitter.finagle.{ServiceFactory, Stack, Thrift}
import com.twitter.finagle.netty4.Netty4Listener
import com.twitter.finagle.server.Listener
import com.twitter.finagle.transport.TransportContext
import io.netty.buffer.ByteBuf
import io.netty.channel.{ChannelHandlerContext, ChannelPipeline, CombinedChannelDuplexHandler}
import io.netty.handler.codec.{LengthFieldBasedFrameDecoder, LengthFieldPrepender}
import java.util.function.Consumer

/**
 * Finagle's Thrift server with a maximum frame size. Finagle 22.7's framer accepts frames up to
 * 2 GiB and buffers each in full before anyone looks at it; this one swaps it for the same framer
 * bounded by `maxFrameBytes`, which closes a connection whose next frame declares more as soon as
 * the 4-byte length prefix arrives, without buffering the frame. (Scala, not Java: javac cannot
 * subclass Finagle's server types, and Finagle offers no other hook into the channel pipeline.)
 */
final class FrameLimitedThriftServer(
    configured: Thrift.Server,
    maxFrameBytes: Int,
    malformed: Consumer[String])
    extends Thrift.Server(configured.stack, configured.params) {

  // serve() copies the server with extra params: the copy must keep the frame limit.
  override protected def copy1(
    stack: Stack[ServiceFactory[Array[Byte], Array[Byte]]],
    params: Stack.Params
  ): Thrift.Server =
    new FrameLimitedThriftServer(Thrift.Server(stack, params), maxFrameBytes, malformed)

  override def newListener(): Listener[Array[Byte], Array[Byte], TransportContext] = {
    val finagle = FinagleThriftPipeline.server(params)
    val bounded: ChannelPipeline => Unit = { pipeline =>
      finagle(pipeline)
      pipeline.replace(
        FrameLimitedThriftServer.Framer,
        FrameLimitedThriftServer.Framer,
        new CombinedChannelDuplexHandler(
          new FrameLimitedThriftServer.BoundedFrameDecoder(maxFrameBytes, malformed),
          new LengthFieldPrepender(4)))
      ()
    }
    Netty4Listener[Array[Byte], Array[Byte]](bounded, params)
  }
}

object FrameLimitedThriftServer {
  /** Finagle's name for its framer in the channel pipeline. */
  private val Framer = "thriftFrameCodec"

  /** A 4-byte big-endian length prefix, then that many bytes; at most `max` of them. */
  final class BoundedFrameDecoder(max: Int, malformed: Consumer[String])
      extends LengthFieldBasedFrameDecoder(max, 0, 4, 0, 4) {
    override protected def decode(ctx: ChannelHandlerContext, in: ByteBuf): AnyRef = {
      if (in.readableBytes >= 4) {
        val declared = in.getUnsignedInt(in.readerIndex)
        if (declared > max) {
          malformed.accept(s"frame of $declared bytes declared, more than thrift.maxFrameBytes ($max): " +
            s"connection from ${ctx.channel.remoteAddress} closed")
          in.skipBytes(in.readableBytes)
          ctx.close()
          return null
        }
      }
      super.decode(ctx, in)
    }
  }
}
