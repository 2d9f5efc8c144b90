package io.changecast.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The shared tracing rule and the Kafka-headers carrier. */
class TracingTest {

  private static final String TRACEPARENT =
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

  @AfterEach
  void reset() {
    GlobalOpenTelemetry.resetForTest();
  }

  @Test
  void offByDefaultAndTheGlobalOneWhenSet() {
    assertThat(System.getenv("OTEL_TRACES_EXPORTER")).isNull(); // the build sets none
    assertThat(Tracing.openTelemetry("changecast-test")).isSameAs(OpenTelemetry.noop());
    OpenTelemetrySdk sdk =
        OpenTelemetrySdk.builder().setTracerProvider(SdkTracerProvider.builder().build()).build();
    GlobalOpenTelemetry.set(sdk);
    assertThat(Tracing.openTelemetry("changecast-test").getTracer("t"))
        .isSameAs(GlobalOpenTelemetry.get().getTracer("t"));
  }

  @Test
  void aSpanReplacesTheTraceparentHeaderAndIsReadBack() {
    RecordHeaders headers = new RecordHeaders();
    headers.add("traceparent", "stale".getBytes(StandardCharsets.UTF_8));
    headers.add("traceparent", TRACEPARENT.getBytes(StandardCharsets.UTF_8));
    Span parent = Span.fromContext(Tracing.extract(headers));
    assertThat(parent.getSpanContext().getTraceId()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");

    Span child =
        SdkTracerProvider.builder()
            .build()
            .get("t")
            .spanBuilder("child")
            .setParent(Tracing.extract(headers))
            .startSpan();
    Tracing.inject(child, headers);
    assertThat(headers.headers("traceparent")).hasSize(1);
    assertThat(KafkaHeaders.INSTANCE.get(headers, "traceparent"))
        .isEqualTo(Tracing.traceparent(child))
        .startsWith("00-4bf92f3577b34da6a3ce929d0e0e4736-" + child.getSpanContext().getSpanId());
  }

  @Test
  void noContextNoHeader() {
    RecordHeaders headers = new RecordHeaders();
    Tracing.inject(Span.getInvalid(), headers);
    assertThat(headers.toArray()).isEmpty();
    assertThat(Tracing.traceparent(Span.getInvalid())).isNull();
    assertThat(Span.fromContext(Tracing.extract(headers)).getSpanContext().isValid()).isFalse();
  }
}
