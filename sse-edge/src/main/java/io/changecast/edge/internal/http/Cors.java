package io.changecast.edge.internal.http;

import io.javalin.http.Context;
import java.util.List;
import java.util.Set;

/**
 * CORS by allowlist ({@code http.cors.allowed-origins}): a request whose {@code Origin} is listed
 * gets {@code Access-Control-Allow-Origin} with that origin (never {@code *}) and {@code Vary:
 * Origin}; other origins and an empty list get no CORS headers, so browsers refuse the response.
 */
final class Cors {
  private static final String ALLOWED_HEADERS = "Authorization, Last-Event-ID, Content-Type";

  private final Set<String> allowed;

  Cors(List<String> allowedOrigins) {
    this.allowed = Set.copyOf(allowedOrigins);
  }

  /** Before every request: adds the CORS headers for an allowed origin. */
  void apply(Context ctx) {
    String origin = ctx.header("Origin");
    ctx.res().addHeader("Vary", "Origin");
    if (origin != null && allowed.contains(origin)) {
      ctx.header("Access-Control-Allow-Origin", origin);
      ctx.header("Access-Control-Allow-Credentials", "true");
    }
  }

  /**
   * Whether a WebSocket upgrade may come from the request's {@code Origin}: none (not a browser),
   * the edge's own origin (same {@code Host}), or a listed one. Browsers apply no CORS to
   * WebSockets but do send cookies, so a cookie-authenticated upgrade from any other page would
   * read the user's stream (cross-site WebSocket hijacking).
   */
  boolean allowsWebSocketFrom(Context ctx) {
    String origin = ctx.header("Origin");
    if (origin == null || allowed.contains(origin)) {
      return true;
    }
    String host = ctx.header("Host");
    return host != null
        && (origin.equalsIgnoreCase("http://" + host)
            || origin.equalsIgnoreCase("https://" + host));
  }

  /** {@code OPTIONS} preflight: 204, with the allowed methods and headers for allowed origins. */
  void preflight(Context ctx) {
    String origin = ctx.header("Origin");
    if (origin != null && allowed.contains(origin)) {
      ctx.header("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
      ctx.header("Access-Control-Allow-Headers", ALLOWED_HEADERS);
      ctx.header("Access-Control-Max-Age", "600");
    }
    ctx.status(204);
  }
}
