package io.changecast.embedded.mongo.internal;

import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.exception.MongoServerError;
import de.bwaldvogel.mongo.exception.MongoServerException;
import de.bwaldvogel.mongo.wire.message.MessageHeader;
import de.bwaldvogel.mongo.wire.message.MongoMessage;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves {@code getMore} on change stream cursors without blocking the event loop: when there is
 * nothing to return it parks the request until the history grows or {@code maxTimeMS} (the driver's
 * {@code maxAwaitTime}) passes, then replies. No thread waits meanwhile. Every other request goes
 * on to mongo-java-server's handler.
 */
final class AwaitingGetMoreHandler extends ChannelInboundHandlerAdapter {

  private static final Logger log = LoggerFactory.getLogger(AwaitingGetMoreHandler.class);
  private static final AtomicInteger RESPONSE_IDS = new AtomicInteger(1 << 30);

  private final ChangeStreamBackend backend;

  AwaitingGetMoreHandler(ChangeStreamBackend backend) {
    this.backend = backend;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof MongoMessage message && isChangeStreamGetMore(message.getDocument())) {
      ChangeStreams.GetMore getMore = ChangeStreams.GetMore.parse(message.getDocument());
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(getMore.maxAwaitMillis());
      attempt(ctx, message, getMore, deadline);
    } else {
      ctx.fireChannelRead(msg);
    }
  }

  private boolean isChangeStreamGetMore(Document command) {
    if (command.isEmpty()) {
      return false;
    }
    String name = command.keySet().iterator().next();
    return name.equals("getMore")
        && command.get(name) instanceof Number id
        && backend.changeStreams().owns(id.longValue());
  }

  /** Replies now if there are events or time is up; otherwise waits for the next change. */
  private void attempt(
      ChannelHandlerContext ctx,
      MongoMessage message,
      ChangeStreams.GetMore getMore,
      long deadline) {
    if (!ctx.channel().isActive()) {
      return;
    }
    ChangeStreams changeStreams = backend.changeStreams();
    long remaining = deadline - System.nanoTime();
    try {
      Optional<Document> reply = changeStreams.tryGetMore(getMore, remaining <= 0);
      if (reply.isPresent()) {
        respond(ctx, message, backend.withClusterTime(reply.get()));
        return;
      }
      long position = changeStreams.position(getMore.cursorId());
      ChangeHistory history = backend.history();
      AtomicBoolean fired = new AtomicBoolean();
      AtomicReference<ScheduledFuture<?>> timeout = new AtomicReference<>();
      Runnable waiter =
          () -> {
            if (fired.compareAndSet(false, true)) {
              ScheduledFuture<?> pending = timeout.get();
              if (pending != null) {
                pending.cancel(false);
              }
              ctx.executor().execute(() -> attempt(ctx, message, getMore, deadline));
            }
          };
      if (!history.awaitAfter(position, waiter)) {
        waiter.run();
        return;
      }
      timeout.set(
          ctx.executor()
              .schedule(
                  () -> {
                    if (fired.compareAndSet(false, true)) {
                      history.cancel(waiter);
                      attempt(ctx, message, getMore, deadline);
                    }
                  },
                  remaining,
                  TimeUnit.NANOSECONDS));
    } catch (MongoServerException e) {
      respond(ctx, message, errorReply(e));
    } catch (RuntimeException e) {
      log.error("getMore on change stream cursor {} failed", getMore.cursorId(), e);
      respond(ctx, message, errorReply(new MongoServerException("Unknown error: " + e, e)));
    }
  }

  private static void respond(ChannelHandlerContext ctx, MongoMessage request, Document reply) {
    MessageHeader header =
        new MessageHeader(RESPONSE_IDS.incrementAndGet(), request.getHeader().getRequestID());
    ctx.writeAndFlush(new MongoMessage(ctx.channel(), header, reply));
  }

  private static Document errorReply(MongoServerException e) {
    Document reply = new Document("ok", 0.0).append("errmsg", e.getMessageWithoutErrorCode());
    if (e instanceof MongoServerError error) {
      reply.put("code", error.getCode());
      reply.putIfNotNull("codeName", error.getCodeName());
    }
    return reply;
  }
}
