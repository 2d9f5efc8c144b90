package io.changecast.edge.internal.http;

import io.changecast.edge.auth.Redaction;
import io.javalin.http.Context;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One line per finished request on logger {@code io.changecast.edge.access}: method, path, query
 * with {@code access_token} redacted, status and duration. Never headers or cookies (tokens).
 */
final class AccessLog {
  private static final Logger LOG = LoggerFactory.getLogger("io.changecast.edge.access");

  private AccessLog() {}

  static void log(Context ctx, Float millis) {
    if (LOG.isInfoEnabled()) {
      String query = Redaction.query(ctx.queryString());
      LOG.info(
          "{} {}{} {} {}ms",
          ctx.method(),
          ctx.path(),
          query == null || query.isEmpty() ? "" : "?" + query,
          ctx.statusCode(),
          Math.round(millis));
    }
  }
}
