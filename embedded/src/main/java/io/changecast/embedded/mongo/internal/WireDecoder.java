package io.changecast.embedded.mongo.internal;

import de.bwaldvogel.mongo.wire.MongoWireProtocolHandler;
import de.bwaldvogel.mongo.wire.message.ClientRequest;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;

/**
 * mongo-java-server's frame decoder, accepting the {@code exhaustAllowed} bit that drivers set on
 * the awaitable {@code hello} of the streaming monitor protocol (MongoDB 4.4+). The server never
 * answers with {@code moreToCome}, which the protocol allows: the driver then sends its next {@code
 * hello} itself.
 */
final class WireDecoder extends MongoWireProtocolHandler {

  private static final int OP_MSG = 2013;
  private static final int OPCODE_OFFSET = 12;
  private static final int FLAGS_OFFSET = 16;
  private static final int EXHAUST_ALLOWED = 1 << 16;
  private static final int MORE_TO_COME = 1 << 1;
  private static final int REQUEST_ID_OFFSET = 4;

  @Override
  protected ClientRequest decode(ChannelHandlerContext ctx, ByteBuf buf) throws Exception {
    int start = buf.readerIndex();
    if (buf.readableBytes() >= FLAGS_OFFSET + 4 && buf.getIntLE(start + OPCODE_OFFSET) == OP_MSG) {
      int flags = buf.getIntLE(start + FLAGS_OFFSET);
      if ((flags & (EXHAUST_ALLOWED | MORE_TO_COME)) != 0
          && buf.readableBytes() >= buf.getIntLE(start)) {
        // only once the whole frame is there, so a partial read does not mark it twice
        if ((flags & MORE_TO_COME) != 0) {
          UnacknowledgedReplies.expectNoReply(
              ctx.channel(), buf.getIntLE(start + REQUEST_ID_OFFSET));
        }
        buf.setIntLE(start + FLAGS_OFFSET, flags & ~(EXHAUST_ALLOWED | MORE_TO_COME));
      }
    }
    return super.decode(ctx, buf);
  }
}
