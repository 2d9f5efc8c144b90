package io.changecast.edge.internal.http;

import io.changecast.edge.internal.log.Readiness;
import io.changecast.edge.internal.stream.EdgeMetrics;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/** {@code /health/live}, {@code /health/ready} and {@code /metrics}. */
final class HealthHandlers {
  private final Supplier<Readiness> readiness;
  private final EdgeMetrics metrics;

  HealthHandlers(Supplier<Readiness> readiness, EdgeMetrics metrics) {
    this.readiness = readiness;
    this.metrics = metrics;
  }

  void live(Context ctx) {
    ctx.contentType("application/json").result(ErrorResponses.json(Map.of("status", "UP")));
  }

  void ready(Context ctx) {
    Map<String, String> body = new LinkedHashMap<>();
    if (readiness.get() instanceof Readiness.NotReady notReady) {
      body.put("status", "DOWN");
      body.put("detail", notReady.reason());
      ctx.status(503);
    } else {
      body.put("status", "UP");
    }
    ctx.contentType("application/json").result(ErrorResponses.json(body));
  }

  void metrics(Context ctx) {
    ctx.contentType(EdgeMetrics.CONTENT_TYPE).result(metrics.scrape());
  }
}
