package io.changecast.embedded.mongo.internal;

import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.wire.message.MessageHeader;
import de.bwaldvogel.mongo.wire.message.MongoMessage;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.util.AttributeKey;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

/**
 * MongoDB's test fail points, as {@code mongod --setParameter enableTestCommands=1} has them, for
 * drivers' specification tests: {@code configureFailPoint} on {@code admin} arms {@code
 * failCommand} (fail the named commands with {@code errorCode} and {@code errorLabels}, or close
 * the connection, optionally after {@code blockTimeMS}, or run them and add {@code
 * writeConcernError} to the reply) and {@code failGetMoreAfterCursorCheckout} (fail {@code getMore}
 * with {@code errorCode}, labelled {@code ResumableChangeStreamError} when MongoDB would resume on
 * that code). Without {@code errorLabels} a fail-pointed error gets the labels MongoDB's rules give
 * it ({@link ErrorLabels}: {@code TransientTransactionError} in a transaction, {@code
 * RetryableWriteError} on a retryable write or commit), as MongoDB's fail point does; with them,
 * exactly those. A fail-pointed error is completed as the server's own (a replica-set member's
 * not-primary error names its {@code topologyVersion}, as MongoDB's does). Modes: {@code alwaysOn},
 * {@code off}, {@code {times: n}} and {@code {skip: n}}. Sits in front of every other handler, so
 * it sees each OP_MSG command first.
 */
@ChannelHandler.Sharable
public final class FailPoints extends ChannelDuplexHandler {

  private static final AtomicInteger RESPONSE_IDS = new AtomicInteger(1 << 29);

  /** The codes a MongoDB 4.4+ server labels {@code ResumableChangeStreamError} on a getMore. */
  private static final Set<Integer> RESUMABLE_CODES =
      Set.of(
          6, 7, 63, 89, 91, 133, 150, 189, 234, 262, 9001, 10107, 11600, 11602, 13388, 13435,
          13436);

  private static final Set<String> NAMES = Set.of("failCommand", "failGetMoreAfterCursorCheckout");

  /** Per connection: the {@code writeConcernError} to add to the reply to a request id. */
  private static final AttributeKey<Map<Integer, Document>> PENDING =
      AttributeKey.valueOf("changecast.failPoints.writeConcernError");

  private final Map<String, Armed> armed = new ConcurrentHashMap<>();
  private final UnaryOperator<Document> errorReplies;

  /** {@code errorReplies} completes a failed command's reply as the server does its own. */
  FailPoints(UnaryOperator<Document> errorReplies) {
    this.errorReplies = errorReplies;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof MongoMessage message) || message.getDocument().isEmpty()) {
      ctx.fireChannelRead(msg);
      return;
    }
    Document command = message.getDocument();
    String name = command.keySet().iterator().next();
    if (name.equals("configureFailPoint")) {
      respond(ctx, message, configure(message.getDatabaseName(), command));
      return;
    }
    Trigger trigger = trigger(name, command);
    if (trigger == null) {
      ctx.fireChannelRead(msg);
    } else if (trigger.blockMillis() > 0) {
      ctx.executor()
          .schedule(
              () -> fire(ctx, message, trigger), trigger.blockMillis(), TimeUnit.MILLISECONDS);
    } else {
      fire(ctx, message, trigger);
    }
  }

  private Document configure(String database, Document command) {
    String name = String.valueOf(command.get("configureFailPoint"));
    if (!"admin".equals(database)) {
      return error(13, "Unauthorized", "configureFailPoint may only be run against the admin db");
    }
    if (!NAMES.contains(name)) {
      return error(2, "BadValue", "Cannot find failpoint: " + name);
    }
    Object mode = command.get("mode");
    Document data = command.get("data") instanceof Document d ? d : new Document();
    Armed previous;
    if ("off".equals(mode)) {
      previous = armed.remove(name);
    } else if ("alwaysOn".equals(mode)) {
      previous = armed.put(name, new Armed(data, 0, -1));
    } else if (mode instanceof Document m && m.get("times") instanceof Number times) {
      previous = armed.put(name, new Armed(data, 0, times.intValue()));
    } else if (mode instanceof Document m && m.get("skip") instanceof Number skip) {
      previous = armed.put(name, new Armed(data, skip.intValue(), -1));
    } else {
      return error(2, "BadValue", "unsupported fail point mode: " + mode);
    }
    Document reply = new Document("count", previous == null ? 0 : previous.fired.get());
    reply.put("ok", 1.0);
    return reply;
  }

  /** What to do to {@code command} (named {@code name}), or {@code null} to serve it. */
  private Trigger trigger(String name, Document command) {
    Armed failCommand = armed.get("failCommand");
    if (failCommand != null
        && failCommand.data.get("failCommands") instanceof List<?> names
        && names.contains(name)
        && failCommand.take(armed, "failCommand")) {
      Document data = failCommand.data;
      int code = data.get("errorCode") instanceof Number n ? n.intValue() : -1;
      Document writeConcernError =
          data.get("writeConcernError") instanceof Document wce
              ? ErrorLabels.addTo(wce.cloneDeeply(), command, true)
              : null;
      // errorLabels in the fail point replace the labels MongoDB's rules give (even when empty)
      List<?> labels =
          data.get("errorLabels") instanceof List<?> l
              ? l
              : code < 0 ? List.of() : ErrorLabels.labels(command, code, null);
      return new Trigger(
          Boolean.TRUE.equals(data.get("closeConnection")),
          code,
          labels,
          writeConcernError,
          Boolean.TRUE.equals(data.get("blockConnection"))
                  && data.get("blockTimeMS") instanceof Number ms
              ? ms.longValue()
              : 0);
    }
    Armed getMore = armed.get("failGetMoreAfterCursorCheckout");
    if (getMore != null
        && name.equals("getMore")
        && getMore.take(armed, "failGetMoreAfterCursorCheckout")) {
      int code = getMore.data.get("errorCode") instanceof Number n ? n.intValue() : 1;
      List<?> labels =
          RESUMABLE_CODES.contains(code) ? List.of("ResumableChangeStreamError") : List.of();
      return new Trigger(
          Boolean.TRUE.equals(getMore.data.get("closeConnection")), code, labels, null, 0);
    }
    return null;
  }

  private void fire(ChannelHandlerContext ctx, MongoMessage message, Trigger trigger) {
    if (trigger.closeConnection()) {
      ctx.channel().close();
    } else if (trigger.errorCode() < 0) {
      if (trigger.writeConcernError() != null) {
        // the command runs; its reply gets the error (see write)
        ctx.channel().attr(PENDING).setIfAbsent(new ConcurrentHashMap<>());
        ctx.channel()
            .attr(PENDING)
            .get()
            .put(message.getHeader().getRequestID(), trigger.writeConcernError());
      }
      ctx.fireChannelRead(message);
    } else {
      respond(
          ctx,
          message,
          errorReplies.apply(
              CommandDispatcher.errorReply(
                  new CommandError(
                      trigger.errorCode(),
                      ErrorLabels.codeName(trigger.errorCode()),
                      "Failing command via 'failCommand' failpoint",
                      trigger.labels().stream().map(String::valueOf).toList()))));
    }
  }

  private static void respond(ChannelHandlerContext ctx, MongoMessage request, Document reply) {
    MessageHeader header =
        new MessageHeader(RESPONSE_IDS.incrementAndGet(), request.getHeader().getRequestID());
    ctx.writeAndFlush(new MongoMessage(ctx.channel(), header, reply));
  }

  private static Document error(int code, String codeName, String message) {
    return CommandDispatcher.errorReply(new CommandError(code, codeName, message));
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    Map<Integer, Document> pending = ctx.channel().attr(PENDING).get();
    if (pending != null && msg instanceof MongoMessage reply) {
      Document armedError = pending.remove(reply.getHeader().getResponseTo());
      if (armedError != null) {
        Document writeConcernError = armedError.cloneDeeply();
        reply.getDocument().put("writeConcernError", writeConcernError);
        if (writeConcernError.get("errorLabels") instanceof List<?> labels) {
          reply.getDocument().put("errorLabels", labels);
          writeConcernError.remove("errorLabels");
        }
      }
    }
    ctx.write(msg, promise);
  }

  private record Trigger(
      boolean closeConnection,
      int errorCode,
      List<?> labels,
      Document writeConcernError,
      long blockMillis) {}

  /** An armed fail point: skips {@code skip} matches, then fires {@code times} times (-1: ever). */
  private static final class Armed {
    private final Document data;
    private final AtomicInteger skip;
    private final AtomicInteger times;
    private final AtomicInteger fired = new AtomicInteger();

    Armed(Document data, int skip, int times) {
      this.data = data;
      this.skip = new AtomicInteger(skip);
      this.times = new AtomicInteger(times);
    }

    /** Whether this match fires; disarms itself in {@code armed} when its count is used up. */
    synchronized boolean take(Map<String, Armed> armed, String name) {
      if (skip.get() > 0) {
        skip.decrementAndGet();
        return false;
      }
      int left = times.get();
      if (left == 0) {
        return false;
      }
      if (left > 0 && times.decrementAndGet() == 0) {
        armed.remove(name, this);
      }
      fired.incrementAndGet();
      return true;
    }
  }
}
