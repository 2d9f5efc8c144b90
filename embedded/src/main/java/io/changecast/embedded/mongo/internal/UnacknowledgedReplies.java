package io.changecast.embedded.mongo.internal;

import de.bwaldvogel.mongo.wire.message.MongoMessage;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.util.AttributeKey;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Unacknowledged requests ({@code w: 0} writes, sent with the OP_MSG {@code moreToCome} bit): the
 * command runs, but its reply is not sent, since the client reads none. {@link WireDecoder} marks
 * the request; this handler, on the outbound side, drops the reply to it.
 */
final class UnacknowledgedReplies extends ChannelOutboundHandlerAdapter {

  private static final AttributeKey<Set<Integer>> UNACKNOWLEDGED =
      AttributeKey.valueOf("changecast.unacknowledged");

  /** Marks request {@code requestId} on {@code channel} as one the client expects no reply to. */
  static void expectNoReply(Channel channel, int requestId) {
    Set<Integer> ids = channel.attr(UNACKNOWLEDGED).get();
    if (ids == null) {
      Set<Integer> fresh = ConcurrentHashMap.newKeySet();
      ids = channel.attr(UNACKNOWLEDGED).setIfAbsent(fresh);
      if (ids == null) {
        ids = fresh;
      }
    }
    ids.add(requestId);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise)
      throws Exception {
    if (msg instanceof MongoMessage reply) {
      Set<Integer> ids = ctx.channel().attr(UNACKNOWLEDGED).get();
      if (ids != null && ids.remove(reply.getHeader().getResponseTo())) {
        promise.setSuccess();
        return;
      }
    }
    super.write(ctx, msg, promise);
  }
}
