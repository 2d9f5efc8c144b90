package io.changecast.edge.internal.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.changecast.edge.internal.HttpError;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.servlet.JavalinWsServletContext;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Renders every error of the edge the same way: JSON {@code {"error": ..., "detail": ...}}. */
final class ErrorResponses {
  private static final Logger LOG = LoggerFactory.getLogger(ErrorResponses.class);
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private ErrorResponses() {}

  static void httpError(HttpError error, Context ctx) {
    render(ctx, error.status(), error.error(), error.detail());
  }

  /** Javalin's own errors, e.g. an unknown path (404) or method (405). */
  static void javalinError(HttpResponseException error, Context ctx) {
    String code =
        switch (error.getStatus()) {
          case 404 -> "not_found";
          case 405 -> "method_not_allowed";
          default -> "http_" + error.getStatus();
        };
    render(ctx, error.getStatus(), code, error.getMessage());
  }

  static void unexpected(Exception error, Context ctx) {
    LOG.error("Unexpected error on {} {}", ctx.method(), ctx.path(), error);
    render(ctx, 500, "internal", "Unexpected server error");
  }

  static void render(Context ctx, int status, String error, String detail) {
    String body = json(fields(error, detail));
    if (ctx instanceof JavalinWsServletContext) {
      // A refused WebSocket upgrade: Javalin does not write results there, so write it now.
      writeNow(ctx.res(), status, body);
      return;
    }
    ctx.status(status).contentType("application/json").result(body);
  }

  private static void writeNow(HttpServletResponse res, int status, String body) {
    try {
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      res.setStatus(status);
      res.setContentType("application/json");
      res.setContentLength(bytes.length);
      res.getOutputStream().write(bytes);
      res.flushBuffer();
    } catch (IOException e) {
      LOG.debug("Could not write the error of a refused WebSocket upgrade: {}", e.toString());
    }
  }

  static String json(Map<String, ?> body) {
    try {
      return MAPPER.writeValueAsString(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  static Map<String, String> fields(String error, String detail) {
    Map<String, String> body = new LinkedHashMap<>();
    body.put("error", error);
    body.put("detail", detail == null ? "" : detail);
    return body;
  }
}
