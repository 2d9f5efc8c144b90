package io.changecast.embedded.mongo.internal;

import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.wire.message.MongoMessage;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The awaitable {@code hello} of the streaming monitor protocol: a {@code hello} that names the
 * server's current {@code topologyVersion} and a {@code maxAwaitTimeMS} is answered when the
 * topology changes or the time is up. The topology of this server never changes, so the request
 * goes on to the command handler after {@code maxAwaitTimeMS}; no thread waits meanwhile. Without
 * this a driver's monitor would send {@code hello} in a busy loop.
 */
final class AwaitableHelloHandler extends ChannelInboundHandlerAdapter {

  private final ServerIdentity identity;

  AwaitableHelloHandler(ServerIdentity identity) {
    this.identity = identity;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    long waitMillis = msg instanceof MongoMessage message ? awaitMillis(message.getDocument()) : 0;
    if (waitMillis <= 0) {
      ctx.fireChannelRead(msg);
      return;
    }
    Document topologyVersion = (Document) ((MongoMessage) msg).getDocument().get("topologyVersion");
    AtomicBoolean fired = new AtomicBoolean();
    AtomicReference<ScheduledFuture<?>> timeout = new AtomicReference<>();
    Runnable answer =
        () -> {
          if (fired.compareAndSet(false, true)) {
            ScheduledFuture<?> pending = timeout.get();
            if (pending != null) {
              pending.cancel(false);
            }
            ctx.executor()
                .execute(
                    () -> {
                      if (ctx.channel().isActive()) {
                        ctx.fireChannelRead(msg);
                      }
                    });
          }
        };
    if (!identity.awaitChange(topologyVersion, answer)) {
      answer.run();
      return;
    }
    timeout.set(
        ctx.executor()
            .schedule(
                () -> {
                  identity.cancel(answer);
                  answer.run();
                },
                waitMillis,
                TimeUnit.MILLISECONDS));
  }

  private long awaitMillis(Document command) {
    if (command.isEmpty()) {
      return 0;
    }
    String name = command.keySet().iterator().next();
    if (!name.equals("hello") && !name.equalsIgnoreCase("ismaster")) {
      return 0;
    }
    if (command.get("topologyVersion") instanceof Document version
        && command.get("maxAwaitTimeMS") instanceof Number maxAwait
        && identity.isCurrent(version)) {
      // a stale topologyVersion is answered at once
      return maxAwait.longValue();
    }
    return 0;
  }
}
