package io.changecast.embedded.mongo.internal;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.io.IOException;
import java.net.SocketException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of a client connection, in place of mongo-java-server's {@code
 * MongoExceptionHandler} (which logs every disconnect as an ERROR with a stack trace): a client
 * that goes away (connection reset, broken pipe) is logged at DEBUG; any other failure once at
 * WARN, one line without a stack trace unless DEBUG is on. Either way the connection is closed.
 */
final class ConnectionExceptionHandler extends ChannelInboundHandlerAdapter {

  private static final Logger log = LoggerFactory.getLogger(ConnectionExceptionHandler.class);

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (isDisconnect(cause)) {
      log.debug("client {} disconnected: {}", ctx.channel().remoteAddress(), cause.toString());
    } else if (log.isDebugEnabled()) {
      log.warn("closing connection of client {}", ctx.channel().remoteAddress(), cause);
    } else {
      log.warn(
          "closing connection of client {}: {} (DEBUG logging of {} shows the stack trace)",
          ctx.channel().remoteAddress(),
          rootCause(cause),
          ConnectionExceptionHandler.class.getName());
    }
    ctx.channel().close();
  }

  /** Whether {@code cause} is the peer closing or resetting the connection. */
  static boolean isDisconnect(Throwable cause) {
    for (Throwable t = cause; t != null; t = t.getCause()) {
      if (t instanceof SocketException) {
        return true;
      }
      if (t instanceof IOException && t.getMessage() != null) {
        String message = t.getMessage().toLowerCase(java.util.Locale.ROOT);
        if (message.contains("connection reset")
            || message.contains("broken pipe")
            || message.contains("connection aborted")
            || message.contains("forcibly closed")) {
          return true;
        }
      }
    }
    return false;
  }

  private static String rootCause(Throwable cause) {
    Throwable t = cause;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.toString();
  }
}
