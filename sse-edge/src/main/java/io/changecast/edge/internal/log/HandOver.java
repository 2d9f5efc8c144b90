package io.changecast.edge.internal.log;

import io.changecast.tracing.Tracing;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import org.apache.kafka.common.header.Headers;

/**
 * The edge's span, {@value #NAME}: an event of the events topic handed to its tenant's live
 * subscribers, in the trace of the record's {@code traceparent} header (none when it has none).
 */
final class HandOver {

  /** The service name of the edge's spans (OTEL_SERVICE_NAME overrides it). */
  static final String SERVICE_NAME = "changecast-edge";

  static final String NAME = "changecast.edge hand-over";

  private final OpenTelemetry telemetry = Tracing.openTelemetry(SERVICE_NAME);
  private final Tracer tracer = telemetry.getTracer("io.changecast.edge");

  /** Runs {@code publish} (the hand-over of {@code event}) in a span of its record's trace. */
  void run(Headers headers, Event event, Runnable publish) {
    if (telemetry == OpenTelemetry.noop()) { // tracing off
      publish.run();
      return;
    }
    Span parent = Span.fromContext(Tracing.extract(headers));
    if (!parent.getSpanContext().isValid()) {
      publish.run();
      return;
    }
    Span span =
        tracer
            .spanBuilder(NAME)
            .setParent(io.opentelemetry.context.Context.root().with(parent))
            .setSpanKind(SpanKind.CONSUMER)
            .startSpan();
    if (span.isRecording()) {
      span.setAttribute("changecast.tenant", event.tenant());
      span.setAttribute("changecast.id", event.id());
    }
    try {
      publish.run();
    } finally {
      span.end();
    }
  }
}
