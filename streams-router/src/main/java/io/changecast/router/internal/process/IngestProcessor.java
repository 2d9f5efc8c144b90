package io.changecast.router.internal.process;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import io.changecast.contract.TenantId;
import io.changecast.router.internal.parse.Json;
import io.changecast.router.internal.parse.Pending;
import io.changecast.router.internal.parse.Stage;
import io.changecast.router.internal.parse.Step;
import io.changecast.router.internal.tracing.RouterTracing;
import io.changecast.router.metrics.Reason;
import io.changecast.router.metrics.RouterMetrics;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import java.util.Optional;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * Reads a record of the ingest topic, posted by another system through the edge's write API: key
 * the tenant, value {@code {"tenant": .., "type": .., "data": <any JSON>, "receivedAt": <epoch ms,
 * optional>}}. Emits {@link Step.Resolved} with a {@link Pending.Publish}, or {@link
 * Step.Rejected}.
 */
public final class IngestProcessor implements FixedKeyProcessor<String, String, Step> {

  private final RouterMetrics metrics;
  private final int maxRecordBytes;
  private final Tracer tracer = RouterTracing.tracer();
  private FixedKeyProcessorContext<String, Step> context;

  public IngestProcessor(RouterMetrics metrics, int maxRecordBytes) {
    this.metrics = metrics;
    this.maxRecordBytes = maxRecordBytes;
  }

  @Override
  public void init(FixedKeyProcessorContext<String, Step> context) {
    this.context = context;
  }

  @Override
  public void process(FixedKeyRecord<String, String> record) {
    metrics.in(context.recordMetadata().map(RecordMetadata::topic).orElse(""));
    Span span =
        RouterTracing.start(tracer, RouterTracing.PARSE, SpanKind.CONSUMER, record.headers());
    Step step;
    try {
      step = read(record.key(), record.value());
    } finally {
      span.end();
    }
    context.forward(record.withValue(step));
  }

  Step read(String key, String raw) {
    Step.Rejected tooLarge = Step.tooLarge(raw, maxRecordBytes);
    if (tooLarge != null) {
      return tooLarge;
    }
    if (raw == null) {
      return reject(raw, Reason.NULL_VALUE, "the record has no value");
    }
    JsonNode root;
    try {
      root = Json.mapper().readTree(raw);
    } catch (JacksonException e) {
      return reject(raw, Reason.MALFORMED_JSON, Json.abbreviate(e.getOriginalMessage(), 200));
    }
    if (root == null || !root.isObject()) {
      return reject(raw, Reason.NOT_AN_OBJECT, "expected {\"tenant\", \"type\", \"data\"}");
    }
    String tenant = text(root, "tenant");
    String type = text(root, "type");
    JsonNode data = root.get("data");
    if (tenant == null || type == null || data == null) {
      return reject(
          raw,
          Reason.MISSING_FIELD,
          "expected non-blank string fields 'tenant' and 'type' and a field 'data'");
    }
    if (key != null && !key.equals(tenant)) {
      return reject(
          raw,
          Reason.INVALID_FIELD,
          "the record key '"
              + Json.abbreviate(key, 60)
              + "' differs from the tenant '"
              + Json.abbreviate(tenant, 60)
              + "'");
    }
    Optional<String> refused = TenantId.check(tenant);
    if (refused.isPresent()) {
      return reject(raw, Reason.TENANT_INVALID, refused.get());
    }
    JsonNode receivedAt = root.get("receivedAt");
    return new Step.Resolved(
        tenant,
        new Pending.Publish(
            type,
            data,
            receivedAt != null && receivedAt.canConvertToLong() ? receivedAt.asLong() : null));
  }

  private static String text(JsonNode root, String field) {
    JsonNode node = root.get(field);
    return node != null && node.isTextual() && !node.asText().isBlank() ? node.asText() : null;
  }

  private static Step reject(String raw, Reason reason, String detail) {
    return new Step.Rejected(raw, Stage.INGEST, reason, detail);
  }
}
