package io.changecast.router.internal.tracing;

import io.changecast.tracing.KafkaHeaders;
import io.changecast.tracing.Tracing;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import org.apache.kafka.common.header.Headers;

/**
 * The router's spans. Each continues the trace in the record's {@code traceparent} header (or
 * starts one when the record has none) and writes its own context back into the header, which Kafka
 * Streams carries through the repartition topics to the outputs (events, type topics, DLQ).
 */
public final class RouterTracing {

  /** The service name of the router's spans (OTEL_SERVICE_NAME overrides it). */
  public static final String SERVICE_NAME = "changecast-router";

  public static final String PARSE = "changecast.router parse";
  public static final String SEQUENCE = "changecast.router sequence";

  /** From an output record's send to the commit of its transaction. */
  public static final String COMMIT = "changecast.router commit";

  /** The instrumentation scope of the router's spans. */
  static final String INSTRUMENTATION = "io.changecast.router";

  private RouterTracing() {}

  /** The tracer of tracing off: spans are skipped, headers left as they are. */
  static final Tracer OFF = OpenTelemetry.noop().getTracer(INSTRUMENTATION);

  /** The router's tracer: {@link #OFF} unless tracing is configured (see {@link Tracing}). */
  public static Tracer tracer() {
    OpenTelemetry telemetry = Tracing.openTelemetry(SERVICE_NAME);
    return telemetry == OpenTelemetry.noop() ? OFF : telemetry.getTracer(INSTRUMENTATION);
  }

  /**
   * Starts span {@code name} as a child of {@code headers}' trace context, or as a new trace's root
   * when they have none, and puts its context into the headers. With tracing off, the invalid span,
   * without reading the headers.
   */
  public static Span start(Tracer tracer, String name, SpanKind kind, Headers headers) {
    if (tracer == OFF) { // the header, if any, passes on unchanged
      return Span.getInvalid();
    }
    Context parent = Tracing.extract(headers);
    SpanContext parentContext = Span.fromContext(parent).getSpanContext();
    Span span = tracer.spanBuilder(name).setParent(parent).setSpanKind(kind).startSpan();
    SpanContext context = span.getSpanContext();
    // no-op tracing hands back the parent's context: the header is already right
    if (context.isValid() && !context.equals(parentContext)) {
      Tracing.inject(span, headers);
    }
    return span;
  }

  /** The {@code traceparent} in {@code headers}, or null. */
  public static String traceparent(Headers headers) {
    return KafkaHeaders.INSTANCE.get(headers, Tracing.TRACEPARENT);
  }
}
