package io.changecast.edge.internal.http;

import io.changecast.edge.internal.HttpError;
import io.changecast.edge.internal.filter.EventFilter;
import io.changecast.edge.internal.log.DocumentVersions;
import io.changecast.edge.internal.log.Event;
import io.changecast.edge.internal.log.EventLog;
import io.changecast.edge.internal.log.EventLogUnavailableException;
import io.changecast.edge.internal.log.Readiness;
import io.changecast.edge.internal.log.ResumePosition;
import io.changecast.edge.internal.stream.ControlEvents;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Supplier;

/**
 * {@code GET /v1/tenants/{tenant}/events/recent?after=n&limit=k}: the retained events as JSON for
 * polling clients, with the same filters as the stream. With {@code after}, the first {@code limit}
 * matching events with a greater id; without, the newest {@code limit} matching events. Body:
 * {@code {"events":[envelopes],"oldestRetainedId","latestId","next"}} where {@code next} is the
 * {@code after} to poll with next (ids are decimal strings, null when the tenant has no events).
 */
final class RecentHandler implements Handler {
  static final String PATH = "/v1/tenants/{tenant}/events/recent";
  static final int DEFAULT_LIMIT = 100;
  static final int MAX_LIMIT = 1000;

  private final EventLog log;
  private final Supplier<Readiness> readiness;
  private final DocumentVersions versions;

  RecentHandler(EventLog log, Supplier<Readiness> readiness) {
    this.log = log;
    this.readiness = readiness;
    this.versions = new DocumentVersions(log);
  }

  @Override
  public void handle(Context ctx) {
    String tenant = EventsHandler.tenant(ctx);
    Optional<Long> after = Optional.empty();
    String afterText = ctx.queryParam("after");
    if (afterText != null && !afterText.isEmpty()) {
      after = ResumePosition.parseId(afterText);
      if (after.isEmpty()) {
        throw HttpError.badRequest(
            "invalid_after", "after must be a non-negative integer (an event id)");
      }
    }
    int limit = limit(ctx.queryParam("limit"));
    EventFilter filter = EventsHandler.filter(ctx);
    if (readiness.get() instanceof Readiness.NotReady notReady) {
      throw HttpError.unavailable("not_ready", "The event log is not ready: " + notReady.reason());
    }
    List<Event> events;
    OptionalLong oldest;
    OptionalLong latest;
    try {
      events = log.readAfter(tenant, after.orElse(-1L));
      oldest = log.oldestId(tenant);
      latest = log.latestId(tenant);
    } catch (EventLogUnavailableException e) {
      throw HttpError.unavailable("not_ready", e.getMessage());
    }
    List<Event> matching = new ArrayList<>();
    long next = after.orElse(-1L);
    if (after.isPresent()) {
      for (Event event : events) {
        if (matching.size() == limit) {
          break;
        }
        next = event.id();
        if (passes(filter, event)) {
          matching.add(event);
        }
      }
    } else {
      for (int i = events.size() - 1; i >= 0 && matching.size() < limit; i--) {
        if (passes(filter, events.get(i))) {
          matching.add(0, events.get(i));
        }
      }
      next = events.isEmpty() ? -1 : events.get(events.size() - 1).id();
    }
    StringBuilder body = new StringBuilder("{\"events\":[");
    for (int i = 0; i < matching.size(); i++) {
      body.append(i == 0 ? "" : ",").append(matching.get(i).json());
    }
    body.append("],\"oldestRetainedId\":")
        .append(id(oldest))
        .append(",\"latestId\":")
        .append(id(latest))
        .append(",\"next\":")
        .append(next < 0 ? "null" : "\"" + next + "\"")
        .append('}');
    ctx.contentType("application/json").result(body.toString());
  }

  /** Router resets pass any filter; the filter rule is the stream's. */
  private boolean passes(EventFilter filter, Event event) {
    return ControlEvents.isReset(event)
        || filter.matchesChange(event.json(), () -> versions.apply(event));
  }

  private static String id(OptionalLong id) {
    return id.isPresent() ? "\"" + id.getAsLong() + "\"" : "null";
  }

  private static int limit(String text) {
    if (text == null || text.isEmpty()) {
      return DEFAULT_LIMIT;
    }
    Optional<Long> limit = ResumePosition.parseId(text);
    if (limit.isEmpty() || limit.get() < 1 || limit.get() > MAX_LIMIT) {
      throw HttpError.badRequest(
          "invalid_limit",
          "limit must be an integer from 1 to " + MAX_LIMIT + ", got '" + abbreviate(text) + "'");
    }
    return limit.get().intValue();
  }

  private static String abbreviate(String value) {
    return value.length() <= 20 ? value : value.substring(0, 20) + "...";
  }
}
