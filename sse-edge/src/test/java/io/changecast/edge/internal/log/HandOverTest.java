package io.changecast.edge.internal.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The edge's hand-over span: in the trace of the event record's {@code traceparent}. */
class HandOverTest {
  private static final String TOPIC = "changecast.events";
  private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String PARENT = "00f067aa0ba902b7";

  @TempDir Path stateDir;

  private final InMemorySpanExporter spans = InMemorySpanExporter.create();
  private final EventHub hub = new EventHub();
  private final List<Event> handed = new CopyOnWriteArrayList<>();
  private TopologyTestDriver driver;
  private TestInputTopic<String, String> input;

  @BeforeEach
  void start() {
    GlobalOpenTelemetry.resetForTest();
    GlobalOpenTelemetry.set(
        OpenTelemetrySdk.builder()
            .setTracerProvider(
                SdkTracerProvider.builder()
                    .addSpanProcessor(SimpleSpanProcessor.create(spans))
                    .build())
            .build());
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "edge-test-" + UUID.randomUUID());
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    driver =
        new TopologyTestDriver(
            EventLogTopology.build(
                TOPIC, 100, Optional.empty(), hub, new SourceClock(), () -> {}, age -> {}),
            props);
    input = driver.createInputTopic(TOPIC, new StringSerializer(), new StringSerializer());
    hub.subscribe("acme", handed::add);
  }

  @AfterEach
  void stop() {
    driver.close();
    GlobalOpenTelemetry.resetForTest();
  }

  @Test
  void aTracedEventIsHandedOverInAChildSpanAndAnUntracedOneInNone() {
    String traceparent = "00-" + TRACE_ID + "-" + PARENT + "-01";
    input.pipeInput(
        new TestRecord<>(
            "acme",
            "{\"id\":\"1\",\"tenant\":\"acme\",\"traceparent\":\"" + traceparent + "\"}",
            new RecordHeaders().add("traceparent", traceparent.getBytes(StandardCharsets.UTF_8))));
    input.pipeInput("acme", "{\"id\":\"2\",\"tenant\":\"acme\"}");

    assertThat(handed).extracting(Event::id).containsExactly(1L, 2L);
    List<SpanData> finished = spans.getFinishedSpanItems();
    assertThat(finished).hasSize(1);
    SpanData handOver = finished.get(0);
    assertThat(handOver.getName()).isEqualTo("changecast.edge hand-over");
    assertThat(handOver.getTraceId()).isEqualTo(TRACE_ID);
    assertThat(handOver.getParentSpanId()).isEqualTo(PARENT);
    assertThat(handOver.getAttributes().asMap().toString()).contains("acme");
  }
}
