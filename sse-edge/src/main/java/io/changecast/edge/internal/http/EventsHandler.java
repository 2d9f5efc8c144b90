package io.changecast.edge.internal.http;

import io.changecast.contract.TenantId;
import io.changecast.edge.auth.Principal;
import io.changecast.edge.internal.HttpError;
import io.changecast.edge.internal.filter.EventFilter;
import io.changecast.edge.internal.filter.FilterSyntaxException;
import io.changecast.edge.internal.log.Readiness;
import io.changecast.edge.internal.log.ResumePosition;
import io.changecast.edge.internal.stream.OpenStreams;
import io.changecast.edge.internal.stream.SnapshotSelection;
import io.changecast.edge.internal.stream.SseFrames;
import io.changecast.edge.internal.stream.StreamSession;
import io.changecast.edge.internal.stream.StreamSession.CloseReason;
import io.changecast.edge.internal.stream.Transport;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Supplier;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.io.EndPoint;

/**
 * {@code GET /v1/tenants/{tenant}/events}: validates the request, then opens the SSE stream on top
 * of Javalin's async request (as Javalin's own {@code SseClient.keepAlive} does, with our headers
 * and {@code retry:} line). Everything that can fail is checked before the stream opens, so
 * failures are plain JSON errors.
 */
final class EventsHandler implements Handler {
  static final String PATH = "/v1/tenants/{tenant}/events";

  private final OpenStreams streams;
  private final Supplier<Readiness> readiness;
  private final Duration streamIdleTimeout;

  /**
   * @param streamIdleTimeout the idle timeout of a connection once its stream is open (heartbeats
   *     keep it busy), replacing the connector's short one for requests
   */
  EventsHandler(OpenStreams streams, Supplier<Readiness> readiness, Duration streamIdleTimeout) {
    this.streams = streams;
    this.readiness = readiness;
    this.streamIdleTimeout = streamIdleTimeout;
  }

  /** What a stream request asks for, validated (shared by SSE and WebSocket). */
  record StreamRequest(
      String tenant,
      OptionalLong position,
      EventFilter filter,
      Optional<SnapshotSelection> snapshot) {}

  /**
   * Validates tenant, resume position and filters (400), then readiness (503): the checks every
   * stream transport makes before it opens anything. Authentication has run before.
   */
  static StreamRequest validate(Context ctx, Supplier<Readiness> readiness) {
    String tenant = tenant(ctx);
    OptionalLong position =
        ResumePosition.parse(ctx.header("Last-Event-ID"), ctx.queryParam("lastEventId"));
    EventFilter filter = filter(ctx);
    Optional<SnapshotSelection> snapshot = Optional.empty();
    String snapshotParam = ctx.queryParam("snapshot");
    if ("true".equals(snapshotParam)) {
      snapshot =
          Optional.of(
              new SnapshotSelection(
                  tenant, SnapshotSelection.collections(ctx.queryParam("collections")), filter));
    } else if (snapshotParam != null
        && !snapshotParam.isEmpty()
        && !"false".equals(snapshotParam)) {
      throw HttpError.badRequest("invalid_snapshot", "snapshot must be true or false");
    }
    if (readiness.get() instanceof Readiness.NotReady notReady) {
      throw HttpError.unavailable("not_ready", "The event log is not ready: " + notReady.reason());
    }
    return new StreamRequest(tenant, position, filter, snapshot);
  }

  @Override
  public void handle(Context ctx) {
    StreamRequest request = validate(ctx, readiness);
    OpenStreams.Pending pending =
        streams.open(
            request.tenant(),
            Principal.of(ctx),
            request.position(),
            request.filter(),
            Transport.SSE,
            request.snapshot());
    StreamSession session = pending.session();
    EndPoint endPoint = endPoint(ctx);
    if (endPoint != null) {
      endPoint.setIdleTimeout(streamIdleTimeout.toMillis());
    }

    HttpServletResponse res = ctx.res();
    res.setStatus(200);
    res.setContentType("text/event-stream");
    res.setHeader("Cache-Control", "no-cache, no-transform");
    res.setHeader("X-Accel-Buffering", "no");
    // A stream ends only when it is cut (overflow, token expiry, shutdown): the connection goes
    // with it, or a client that stopped reading would keep it open until the idle timeout.
    res.setHeader("Connection", "close");
    long retryMillis = streams.options().retry().toMillis();
    ctx.future(
        () -> {
          // Javalin has started async mode by now: the response is ours until `done` completes.
          ctx.req().getAsyncContext().addListener(closeOnEnd(session));
          try {
            pending.start(
                new SseFrames(sink(ctx), retryMillis),
                endPoint == null ? () -> {} : endPoint::close);
          } catch (IOException e) {
            session.close(CloseReason.ENDED);
          }
          return session.done().thenApply(reason -> null);
        });
  }

  /** The validated tenant path parameter. */
  static String tenant(Context ctx) {
    String tenant = ctx.pathParam("tenant");
    Optional<String> refused = TenantId.check(tenant);
    if (refused.isPresent()) {
      throw HttpError.badRequest("invalid_tenant", refused.get());
    }
    return tenant;
  }

  /** The {@code types} and {@code where} query parameters; 400 {@code bad_filter} if invalid. */
  static EventFilter filter(Context ctx) {
    try {
      return EventFilter.parse(ctx.queryParam("types"), ctx.queryParam("where"));
    } catch (FilterSyntaxException e) {
      throw HttpError.badRequest("bad_filter", e.getMessage());
    }
  }

  /**
   * Where the stream's bytes go: Jetty's core response (non-blocking writes with a callback, as the
   * servlet output stream writes underneath), else the servlet output stream (blocking).
   */
  private static SseFrames.Sink sink(Context ctx) throws IOException {
    ServletContextRequest request = ServletContextRequest.getServletContextRequest(ctx.req());
    return request == null
        ? SseFrames.sink(ctx.res().getOutputStream())
        : SseFrames.sink(request.getServletChannel().getResponse());
  }

  /**
   * The connection's end point (null outside Jetty): closing it makes a write blocked on a client
   * that stopped reading fail at once instead of waiting for the idle timeout.
   */
  private static EndPoint endPoint(Context ctx) {
    ServletContextRequest request = ServletContextRequest.getServletContextRequest(ctx.req());
    return request == null ? null : request.getConnectionMetaData().getConnection().getEndPoint();
  }

  private static AsyncListener closeOnEnd(StreamSession session) {
    return new AsyncListener() {
      @Override
      public void onComplete(AsyncEvent event) {
        session.close(CloseReason.ENDED);
      }

      @Override
      public void onTimeout(AsyncEvent event) {
        session.close(CloseReason.ENDED);
      }

      @Override
      public void onError(AsyncEvent event) {
        session.close(CloseReason.ENDED);
      }

      @Override
      public void onStartAsync(AsyncEvent event) {}
    };
  }
}
