package io.changecast.connector.source.internal;

import io.changecast.tracing.Tracing;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import java.util.IdentityHashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * The connector's span per change event, {@value #NAME}: a new trace started when the official task
 * hands the event over, its {@value Tracing#TRACEPARENT} added to the record's headers, ended when
 * Kafka acknowledged the record (or Connect dropped it). With tracing off the spans are no-ops: no
 * header, nothing kept.
 */
public final class PollSpans {

  /** The span's name. */
  public static final String NAME = "changecast.connector poll";

  private final Tracer tracer;
  private final Map<SourceRecord, Span> open = new IdentityHashMap<>();

  public PollSpans(Tracer tracer) {
    this.tracer = tracer;
  }

  /** Starts the record's trace (its root span) and adds its {@code traceparent} header. */
  public void start(SourceRecord record, long startEpochNanos) {
    Span span =
        tracer
            .spanBuilder(NAME)
            .setNoParent()
            .setSpanKind(SpanKind.PRODUCER)
            .setStartTimestamp(startEpochNanos, java.util.concurrent.TimeUnit.NANOSECONDS)
            .setAttribute("messaging.system", "kafka")
            .setAttribute("messaging.destination.name", record.topic())
            .startSpan();
    String traceparent = Tracing.traceparent(span); // null when tracing is off
    if (traceparent != null) { // also when not sampled: downstream keeps the decision
      record.headers().addString(Tracing.TRACEPARENT, traceparent);
    }
    if (!span.isRecording()) {
      return;
    }
    synchronized (open) {
      open.put(record, span);
    }
  }

  /**
   * The span of {@code from} is now {@code to}'s: {@code from} was replaced by copies (one per raw
   * partition), and {@code to} is the one whose acknowledgement ends it.
   */
  public void move(SourceRecord from, SourceRecord to) {
    synchronized (open) {
      Span span = open.remove(from);
      if (span != null) {
        open.put(to, span);
      }
    }
  }

  /** Ends the record's span: Kafka acknowledged it ({@code metadata}), or Connect dropped it. */
  public void end(SourceRecord record, RecordMetadata metadata) {
    Span span;
    synchronized (open) {
      if (open.isEmpty()) {
        return;
      }
      span = open.remove(record);
    }
    if (span == null) {
      return;
    }
    if (metadata != null) {
      span.setAttribute("messaging.destination.partition.id", metadata.partition());
      span.setAttribute("messaging.kafka.offset", metadata.offset());
    }
    span.end();
  }

  /** Ends every span still open (the task stops). */
  public void endAll() {
    synchronized (open) {
      open.values().forEach(Span::end);
      open.clear();
    }
  }
}
