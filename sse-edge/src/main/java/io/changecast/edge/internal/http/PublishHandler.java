package io.changecast.edge.internal.http;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.changecast.edge.auth.Principal;
import io.changecast.edge.internal.HttpError;
import io.changecast.edge.internal.stream.EdgeMetrics;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Iterator;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/tenants/{tenant}/events}: the write API. Checks the {@code publish} scope (when
 * authentication is on), the content type, the size and the body {@code {"type": .., "data": <any
 * JSON>}}, then produces {@code {"tenant","type","data","receivedAt"}} to the ingest topic (key:
 * the tenant) and answers 202 {@code {"accepted":true}} once the broker acknowledged it. The router
 * gives the event the tenant's next id.
 */
final class PublishHandler implements Handler {
  /** Event types: letters, digits, dot, underscore and dash; 1 to 128 characters. */
  static final Pattern TYPE = Pattern.compile("[A-Za-z0-9._-]{1,128}");

  private static final Logger LOG = LoggerFactory.getLogger(PublishHandler.class);
  private static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();

  private final IngestPublisher publisher;
  private final boolean authEnabled;
  private final int maxBodyBytes;
  private final Duration timeout;
  private final EdgeMetrics metrics;
  private final Clock clock;

  PublishHandler(
      IngestPublisher publisher,
      boolean authEnabled,
      int maxBodyBytes,
      Duration timeout,
      EdgeMetrics metrics,
      Clock clock) {
    this.publisher = publisher;
    this.authEnabled = authEnabled;
    this.maxBodyBytes = maxBodyBytes;
    this.timeout = timeout;
    this.metrics = metrics;
    this.clock = clock;
  }

  @Override
  public void handle(Context ctx) {
    String tenant = EventsHandler.tenant(ctx);
    if (authEnabled
        && !Principal.of(ctx).map(p -> p.hasScope(Principal.PUBLISH_SCOPE)).orElse(false)) {
      throw HttpError.forbidden(
          "forbidden", "publishing needs a token with the '" + Principal.PUBLISH_SCOPE + "' scope");
    }
    checkContentType(ctx.header("Content-Type"));
    JsonNode body = parse(readBody(ctx));
    ObjectNode record = MAPPER.createObjectNode();
    record.put("tenant", tenant);
    record.set("type", body.get("type"));
    record.set("data", body.get("data"));
    record.put("receivedAt", clock.millis());
    publish(tenant, record.toString());
    metrics.eventPublished();
    ctx.status(202).contentType("application/json").result("{\"accepted\":true}");
  }

  private static void checkContentType(String header) {
    if (header != null) {
      String[] parts = header.split(";");
      String mediaType = parts[0].strip().toLowerCase(Locale.ROOT);
      boolean utf8 = true;
      for (int i = 1; i < parts.length; i++) {
        String parameter = parts[i].strip().toLowerCase(Locale.ROOT).replace("\"", "");
        if (parameter.startsWith("charset=")) {
          utf8 = parameter.equals("charset=utf-8");
        }
      }
      if (mediaType.equals("application/json") && utf8) {
        return;
      }
    }
    throw new HttpError(
        415,
        "unsupported_media_type",
        "the body must be sent as Content-Type: application/json (UTF-8)");
  }

  private byte[] readBody(Context ctx) {
    long declared = ctx.req().getContentLengthLong();
    if (declared > maxBodyBytes) {
      throw tooLarge();
    }
    byte[] body;
    try {
      body = ctx.req().getInputStream().readNBytes(maxBodyBytes + 1);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the request body", e);
    }
    if (body.length > maxBodyBytes) {
      throw tooLarge();
    }
    return body;
  }

  private HttpError tooLarge() {
    return new HttpError(
        413, "payload_too_large", "the body must be at most " + maxBodyBytes + " bytes");
  }

  private static JsonNode parse(byte[] bytes) {
    JsonNode body;
    try {
      body = MAPPER.readTree(bytes);
    } catch (JacksonException e) {
      throw invalid("the body is not valid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (body == null || body.isMissingNode() || !body.isObject()) {
      throw invalid("the body must be a JSON object {\"type\": \"...\", \"data\": ...}");
    }
    for (Iterator<String> names = body.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!name.equals("type") && !name.equals("data")) {
        throw invalid("unknown field '" + abbreviate(name) + "'; expected only 'type' and 'data'");
      }
    }
    JsonNode type = body.get("type");
    if (type == null || !type.isTextual()) {
      throw invalid("'type' must be a string");
    }
    if (!TYPE.matcher(type.textValue()).matches()) {
      throw invalid("'type' must be 1 to 128 of the characters A-Z a-z 0-9 . _ -");
    }
    if (!body.has("data")) {
      throw invalid("'data' is required (any JSON value)");
    }
    return body;
  }

  private void publish(String tenant, String value) {
    try {
      publisher.publish(tenant, value).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      metrics.publishFailed();
      LOG.warn("Publishing an event for tenant {} was not acknowledged in {}", tenant, timeout);
      throw HttpError.unavailable(
          "publish_failed",
          "the event was not acknowledged in time; it may still be published, so retrying may"
              + " duplicate it");
    } catch (ExecutionException | RuntimeException e) {
      metrics.publishFailed();
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      LOG.warn("Publishing an event for tenant {} failed: {}", tenant, cause.toString());
      throw HttpError.unavailable("publish_failed", "the event could not be stored; retry later");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      metrics.publishFailed();
      throw HttpError.unavailable("publish_failed", "the server is shutting down; retry later");
    }
  }

  private static HttpError invalid(String detail) {
    return HttpError.badRequest("invalid_body", detail);
  }

  private static String abbreviate(String value) {
    return value.length() <= 40 ? value : value.substring(0, 40) + "...";
  }
}
