package io.changecast.edge.internal.http;

import io.changecast.edge.internal.HttpError;
import io.changecast.edge.internal.documents.DocumentState;
import io.changecast.edge.internal.documents.Documents;
import io.changecast.edge.internal.filter.EventFilter;
import io.changecast.edge.internal.log.EventLogUnavailableException;
import io.changecast.edge.internal.log.Readiness;
import io.changecast.edge.internal.log.ResumePosition;
import io.changecast.edge.internal.stream.EdgeMetrics;
import io.changecast.edge.internal.stream.SnapshotSelection;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /v1/tenants/{tenant}/snapshot?collections=a,b&where=…&limit=k&cursor=c}: the tenant's
 * documents as of one id, a page at a time: {@code {"asOf":"N","documents":[{"collection",
 * "database","documentKey","document","id"}…],"next":"<cursor>"|null}}. The first page is as of the
 * tenant's last applied id; its cursor pins that id for the next pages, which stay as of it while
 * the versions it needs are retained (the event log's retention), else 410 {@code
 * snapshot_expired}. A cursor is bound to its tenant and selection; anything else is 400 {@code
 * bad_cursor}.
 */
final class SnapshotHandler implements Handler {
  static final String PATH = "/v1/tenants/{tenant}/snapshot";

  private static final Logger LOG = LoggerFactory.getLogger(SnapshotHandler.class);

  /** Bytes per write of a page to the connection. */
  private static final int WRITE_BYTES = 64 * 1024;

  private final Optional<Documents> documents;
  private final Supplier<Readiness> readiness;
  private final EdgeMetrics metrics;
  private final int defaultLimit;
  private final int maxLimit;

  SnapshotHandler(
      Optional<Documents> documents,
      Supplier<Readiness> readiness,
      EdgeMetrics metrics,
      int defaultLimit,
      int maxLimit) {
    this.documents = documents;
    this.readiness = readiness;
    this.metrics = metrics;
    this.defaultLimit = defaultLimit;
    this.maxLimit = maxLimit;
  }

  /** A decoded cursor: the pinned id and the key the next page starts after. */
  record Cursor(long asOf, String afterKey) {
    private static final String VERSION = "c1";

    String encode(String tenant, String fingerprint) {
      String text = String.join("\n", VERSION, tenant, Long.toString(asOf), fingerprint, afterKey);
      return Base64.getUrlEncoder()
          .withoutPadding()
          .encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    static Cursor decode(String cursor, String tenant, String fingerprint) {
      String text;
      try {
        text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        throw badCursor("the cursor is not one this edge issued");
      }
      String[] parts = text.split("\n", 5);
      if (parts.length != 5 || !VERSION.equals(parts[0])) {
        throw badCursor("the cursor is not one this edge issued");
      }
      if (!parts[1].equals(tenant)) {
        throw badCursor("the cursor belongs to another tenant");
      }
      if (!parts[3].equals(fingerprint)) {
        throw badCursor("the cursor was issued for other collections or another where filter");
      }
      Optional<Long> asOf = ResumePosition.parseId(parts[2]);
      if (asOf.isEmpty()
          || !DocumentState.isDocumentKey(parts[4])
          || !parts[4].startsWith(tenant + "#")) {
        throw badCursor("the cursor is not one this edge issued");
      }
      return new Cursor(asOf.get(), parts[4]);
    }

    private static HttpError badCursor(String detail) {
      return HttpError.badRequest("bad_cursor", detail);
    }
  }

  @Override
  public void handle(Context ctx) {
    long started = System.nanoTime();
    String tenant = EventsHandler.tenant(ctx);
    EventFilter filter = EventsHandler.filter(ctx);
    SnapshotSelection selection =
        new SnapshotSelection(
            tenant, SnapshotSelection.collections(ctx.queryParam("collections")), filter);
    int limit = limit(ctx.queryParam("limit"));
    String cursorText = ctx.queryParam("cursor");
    Optional<Cursor> cursor =
        cursorText == null || cursorText.isEmpty()
            ? Optional.empty()
            : Optional.of(Cursor.decode(cursorText, tenant, selection.fingerprint()));
    if (documents.isEmpty()) {
      throw new HttpError(
          501, "snapshots_disabled", "The document state is off on this edge (documents.enabled)");
    }
    if (readiness.get() instanceof Readiness.NotReady notReady) {
      throw HttpError.unavailable("not_ready", "The event log is not ready: " + notReady.reason());
    }
    DocumentState.PageResult result;
    try {
      result =
          documents
              .get()
              .page(
                  tenant,
                  cursor.map(c -> OptionalLong.of(c.asOf())).orElse(OptionalLong.empty()),
                  cursor.map(Cursor::afterKey).orElse(null),
                  limit,
                  selection);
    } catch (EventLogUnavailableException e) {
      throw HttpError.unavailable("not_ready", e.getMessage());
    }
    if (result instanceof DocumentState.Expired expired) {
      metrics.snapshotRefused("expired");
      throw new HttpError(
          410,
          "snapshot_expired",
          "The snapshot as of "
              + expired.asOf()
              + " is no longer available (changes after it left the retention, up to "
              + expired.floor()
              + "): take a new snapshot");
    }
    if (result instanceof DocumentState.Behind behind) {
      metrics.snapshotRefused("behind");
      throw HttpError.unavailable(
          "not_ready",
          "This edge has applied events up to "
              + behind.applied()
              + " of this tenant, not yet "
              + behind.asOf()
              + ": retry");
    }
    DocumentState.Page page = (DocumentState.Page) result;
    String next =
        page.more()
            ? '"'
                + new Cursor(page.asOf(), page.lastKey()).encode(tenant, selection.fingerprint())
                + '"'
            : "null";
    ctx.contentType("application/json");
    // The entries are the stored JSON text: written as they are, in large writes (the page can be
    // megabytes; the edge's output buffer is sized for event frames).
    try {
      OutputStream out = new BufferedOutputStream(ctx.outputStream(), WRITE_BYTES);
      out.write(ascii("{\"asOf\":\"" + page.asOf() + "\",\"documents\":["));
      List<String> entries = page.entries();
      for (int i = 0; i < entries.size(); i++) {
        if (i > 0) {
          out.write(',');
        }
        out.write(entries.get(i).getBytes(StandardCharsets.UTF_8));
      }
      out.write(ascii("],\"next\":" + next + "}"));
      out.flush();
    } catch (IOException e) {
      LOG.debug("A snapshot page of {} was not written whole: {}", tenant, e.toString());
      return; // the client went away
    }
    metrics.snapshotServed("page", System.nanoTime() - started);
  }

  private static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private int limit(String text) {
    if (text == null || text.isEmpty()) {
      return defaultLimit;
    }
    Optional<Long> limit = ResumePosition.parseId(text);
    if (limit.isEmpty() || limit.get() < 1 || limit.get() > maxLimit) {
      throw HttpError.badRequest(
          "invalid_limit",
          "limit must be an integer from 1 to "
              + maxLimit
              + ", got '"
              + (text.length() <= 20 ? text : text.substring(0, 20) + "...")
              + "'");
    }
    return limit.get().intValue();
  }
}
