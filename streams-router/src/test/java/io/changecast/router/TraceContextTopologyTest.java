package io.changecast.router;

import static io.changecast.router.RouterDriver.header;
import static io.changecast.router.TenantStrategyTopologyTest.event;
import static org.assertj.core.api.Assertions.assertThat;

import io.changecast.router.config.RouterConfig;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The {@code traceparent} header through the topology, in both sequencing modes: with tracing off
 * (no OpenTelemetry set, the default) a record's context passes to the events topic, the envelope
 * and the dead letters unchanged, and a record without one gets none; with tracing on, the router
 * starts a trace for a record without one and its parse and sequence spans chain.
 */
class TraceContextTopologyTest {

  private static final String TRACEPARENT =
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

  @TempDir Path stateDir;

  private RouterDriver router;

  @AfterEach
  void stop() {
    if (router != null) {
      router.close();
    }
    GlobalOpenTelemetry.resetForTest();
  }

  @ParameterizedTest
  @ValueSource(strings = {"direct", "by-tenant"})
  void tracingOffPassesAnIncomingTraceparentOnAndMakesNone(String sequencing) {
    router = new RouterDriver(stateDir, Map.of(RouterConfig.SEQUENCING, sequencing));
    TestInputTopic<String, String> orders = router.input("changecast.raw.app.orders");

    orders.pipeInput(traced(event("insert", "app", "orders", 1, doc(1, "acme"))));
    orders.pipeInput("k", event("insert", "app", "orders", 2, doc(2, "acme")));
    orders.pipeInput(traced(event("insert", "app", "orders", 3, "{\"_id\": 3}")));

    var routed = router.events.readRecordsToList();
    assertThat(routed).hasSize(2);
    assertThat(header(routed.get(0).headers(), "traceparent")).isEqualTo(TRACEPARENT);
    assertThat(RouterDriver.json(routed.get(0).value()).path("traceparent").asText())
        .isEqualTo(TRACEPARENT);
    assertThat(routed.get(1).headers().lastHeader("traceparent")).isNull();
    assertThat(RouterDriver.json(routed.get(1).value()).has("traceparent")).isFalse();
    assertThat(header(router.dlq.readRecord().headers(), "traceparent")).isEqualTo(TRACEPARENT);
  }

  @ParameterizedTest
  @ValueSource(strings = {"direct", "by-tenant"})
  void tracingOnStartsATraceForARecordWithoutOne(String sequencing) {
    InMemorySpanExporter spans = InMemorySpanExporter.create();
    GlobalOpenTelemetry.resetForTest();
    GlobalOpenTelemetry.set(
        OpenTelemetrySdk.builder()
            .setTracerProvider(
                SdkTracerProvider.builder()
                    .addSpanProcessor(SimpleSpanProcessor.create(spans))
                    .build())
            .build());
    router = new RouterDriver(stateDir, Map.of(RouterConfig.SEQUENCING, sequencing));

    router
        .input("changecast.raw.app.orders")
        .pipeInput("k", event("insert", "app", "orders", 1, doc(1, "acme")));

    var routed = router.events.readRecord();
    String traceparent = header(routed.headers(), "traceparent");
    assertThat(RouterDriver.json(routed.value()).path("traceparent").asText())
        .isEqualTo(traceparent);
    List<SpanData> finished = spans.getFinishedSpanItems();
    assertThat(finished)
        .extracting(SpanData::getName)
        .containsExactly("changecast.router parse", "changecast.router sequence");
    SpanData parse = finished.get(0);
    SpanData sequence = finished.get(1);
    assertThat(parse.getParentSpanContext().isValid()).isFalse();
    assertThat(sequence.getParentSpanId()).isEqualTo(parse.getSpanId());
    assertThat(traceparent)
        .isEqualTo(
            "00-"
                + sequence.getTraceId()
                + "-"
                + sequence.getSpanId()
                + "-"
                + sequence.getSpanContext().getTraceFlags().asHex());
  }

  private static TestRecord<String, String> traced(String value) {
    return new TestRecord<>(
        "k",
        value,
        new RecordHeaders().add("traceparent", TRACEPARENT.getBytes(StandardCharsets.UTF_8)));
  }

  private static String doc(int id, String tenant) {
    return "{\"_id\": %d, \"tenantId\": \"%s\"}".formatted(id, tenant);
  }
}
