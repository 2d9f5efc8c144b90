package io.changecast.edge.internal;

import io.changecast.edge.internal.filter.EventFilter;
import io.changecast.edge.internal.filter.FilterSyntaxException;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.util.OptionalLong;
import java.util.function.Supplier;

/**
 * {@code GET /v1/tenants/{tenant}/events}: validates the request, then opens the SSE stream.
 * Everything that can fail is checked before the stream opens, so failures are plain JSON errors.
 */
final class EventsHandler implements Handler {
  static final String PATH = "/v1/tenants/{tenant}/events";

  private final SseStreams streams;
  private final Supplier<Readiness> readiness;

  EventsHandler(SseStreams streams, Supplier<Readiness> readiness) {
    this.streams = streams;
    this.readiness = readiness;
  }

  @Override
  public void handle(Context ctx) {
    String tenant = tenant(ctx);
    OptionalLong position =
        ResumePosition.parse(ctx.header("Last-Event-ID"), ctx.queryParam("lastEventId"));
    EventFilter filter = filter(ctx);
    // Later: authenticate, check the tenant claim here.
    if (readiness.get() instanceof Readiness.NotReady notReady) {
      throw HttpError.unavailable("not_ready", "The event log is not ready: " + notReady.reason());
    }
    streams.open(ctx, tenant, position, filter);
  }

  /** The validated tenant path parameter. */
  static String tenant(Context ctx) {
    String tenant = ctx.pathParam("tenant");
    if (!TenantId.isValid(tenant)) {
      throw HttpError.badRequest(
          "invalid_tenant", "A tenant id is 1 to 128 of the characters A-Z a-z 0-9 . _ -");
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
}
