package io.changecast.edge.internal.http;

import io.changecast.edge.auth.Authenticator;
import io.changecast.edge.auth.Principal;
import io.changecast.edge.internal.HttpError;
import io.changecast.edge.internal.http.EventsHandler.StreamRequest;
import io.changecast.edge.internal.log.Readiness;
import io.changecast.edge.internal.stream.OpenStreams;
import io.changecast.edge.internal.stream.StreamSession.CloseReason;
import io.changecast.edge.internal.stream.Transport;
import io.changecast.edge.internal.stream.WsFrames;
import io.javalin.http.Context;
import io.javalin.websocket.WsCloseStatus;
import io.javalin.websocket.WsConfig;
import io.javalin.websocket.WsConnectContext;
import io.javalin.websocket.WsContext;
import java.util.function.Supplier;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;

/**
 * {@code GET /v1/tenants/{tenant}/ws}: the tenant's stream over WebSocket, one JSON text message
 * per event ({@link WsFrames}). Everything is checked on the upgrade request, before the upgrade,
 * exactly as for SSE (auth 401/403, 400 tenant/position/filter, 503, 429 caps), so a refusal is a
 * plain JSON HTTP error; the stream is admitted, subscribed and its replay read there too, and
 * starts once the connection is open. The stream ends with a close frame: 1000 when it ends
 * normally, 1001 at shutdown, 1008 when the token expires, 1013 after a queue overflow (after a
 * final {@code overflow} message), or a dropped connection when a write stalls.
 */
final class WsHandler {
  static final String PATH = "/v1/tenants/{tenant}/ws";

  /** Largest message a client may send (they are ignored; the stream is one-way). */
  static final int MAX_CLIENT_MESSAGE_BYTES = 1024;

  private static final String PENDING_ATTRIBUTE = "changecast.stream";

  private final OpenStreams streams;
  private final Supplier<Readiness> readiness;
  private final Authenticator auth;
  private final Cors cors;

  WsHandler(OpenStreams streams, Supplier<Readiness> readiness, Authenticator auth, Cors cors) {
    this.streams = streams;
    this.readiness = readiness;
    this.auth = auth;
    this.cors = cors;
  }

  /** Before the upgrade: the same checks and admission as the SSE endpoint, as HTTP errors. */
  void beforeUpgrade(Context ctx) {
    auth.handle(ctx); // 401 / 403 first, as on every tenant route
    if (auth.enabled()
        && ctx.header("Authorization") == null
        && ctx.cookie(Authenticator.COOKIE) != null
        && !cors.allowsWebSocketFrom(ctx)) {
      throw HttpError.forbidden(
          "origin_not_allowed",
          "A cookie-authenticated WebSocket must come from this edge's origin or an origin of"
              + " http.cors.allowed-origins");
    }
    StreamRequest request = EventsHandler.validate(ctx, readiness);
    ctx.attribute(
        PENDING_ATTRIBUTE,
        streams.open(
            request.tenant(),
            Principal.of(ctx),
            request.position(),
            request.filter(),
            Transport.WS,
            request.snapshot()));
  }

  /** The WebSocket handlers of the route. */
  void configure(WsConfig ws) {
    ws.onConnect(this::connected);
    ws.onClose(WsHandler::end);
    ws.onError(WsHandler::end);
    ws.onMessage(ctx -> {}); // the stream is one-way; client messages are ignored
  }

  private void connected(WsConnectContext ctx) {
    OpenStreams.Pending pending = ctx.attribute(PENDING_ATTRIBUTE);
    Session session = ctx.session;
    pending
        .session()
        .done()
        .thenAccept(
            reason -> {
              WsCloseStatus status = closeStatus(reason);
              if (status != null && session.isOpen()) {
                session.close(status.getCode(), closeReason(reason), Callback.NOOP);
              }
            });
    pending.start(
        new WsFrames(
            (text, done) -> {
              try {
                session.sendText(text, Callback.from(() -> done.written(null), done::written));
              } catch (RuntimeException e) {
                done.written(e);
              }
            }),
        session::disconnect);
  }

  private static void end(WsContext ctx) {
    OpenStreams.Pending pending = ctx.attribute(PENDING_ATTRIBUTE);
    if (pending != null) {
      pending.session().close(CloseReason.ENDED);
    }
  }

  /** The close frame's status for a reason; null when the connection is gone already. */
  static WsCloseStatus closeStatus(CloseReason reason) {
    return switch (reason) {
      case ENDED -> WsCloseStatus.NORMAL_CLOSURE;
      case SHUTDOWN, NOT_STARTED -> WsCloseStatus.GOING_AWAY;
      case TOKEN_EXPIRED -> WsCloseStatus.POLICY_VIOLATION;
      case OVERFLOW -> WsCloseStatus.TRY_AGAIN_LATER;
      case STALLED -> null;
    };
  }

  private static String closeReason(CloseReason reason) {
    return switch (reason) {
      case ENDED -> "end";
      case SHUTDOWN, NOT_STARTED -> "shutdown";
      case TOKEN_EXPIRED -> "token expired";
      case OVERFLOW -> "slow-client";
      case STALLED -> "stalled";
    };
  }
}
