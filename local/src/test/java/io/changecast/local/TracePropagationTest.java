package io.changecast.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import io.changecast.connector.config.ConnectorConfigFile;
import io.changecast.edge.ChangecastEdge;
import io.changecast.edge.config.EdgeConfig;
import io.changecast.embedded.kafka.EmbeddedConnect;
import io.changecast.embedded.mongo.EmbeddedMongo;
import io.changecast.embedded.mongo.MongoOptions;
import io.changecast.router.ChangecastRouter;
import io.changecast.router.config.RouterConfig;
import io.changecast.testsupport.KafkaBroker;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.trace.SpanId;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * W3C trace context end to end, on the real parts in one JVM: embedded MongoDB, a KRaft broker, a
 * Connect worker running Changecast's source connector, the router (by-tenant sequencing, so the
 * trace crosses its repartition topic; type topics on) and the edge, all tracing into one in-memory
 * span exporter. One change event's trace id is the same on the raw record, the envelope in {@code
 * changecast.events}, its type topic record and the event a real SSE client receives; its spans
 * form one trace, connector poll → router parse → sequence → commit, and edge hand-over. A record
 * without a tenant reaches the dead-letter topic in its connector trace.
 */
class TracePropagationTest {

  private static final Duration DELIVERY = Duration.ofSeconds(60);
  private static final Path APP_SOURCE = Path.of("..", "connect-configs", "app-source.json");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String RAW_TOPIC = "changecast.raw.app.orders";
  private static final String EVENTS = "changecast.events";
  private static final String TYPE_TOPIC = "changecast.type.orders.created";
  private static final String DLQ = "changecast.dlq";

  @TempDir static Path state;

  private static final InMemorySpanExporter SPANS = InMemorySpanExporter.create();
  private static final Deque<AutoCloseable> RUNNING = new ArrayDeque<>();
  @RegisterExtension static final KafkaBroker kafka = new KafkaBroker();

  private static ChangecastEdge edge;
  private static MongoClient mongo;

  @BeforeAll
  static void start() {
    GlobalOpenTelemetry.resetForTest();
    GlobalOpenTelemetry.set(
        OpenTelemetrySdk.builder()
            .setTracerProvider(
                SdkTracerProvider.builder()
                    .addSpanProcessor(SimpleSpanProcessor.create(SPANS))
                    .build())
            .build());
    EmbeddedMongo embeddedMongo = remember(EmbeddedMongo.start(MongoOptions.defaults()));
    kafka.createTopic(TYPE_TOPIC, 1);
    Map<String, String> router =
        new HashMap<>(LocalStack.routerSettings(kafka.bootstrapServers(), state));
    router.put(RouterConfig.SEQUENCING, "by-tenant");
    router.put(RouterConfig.TYPE_TOPICS_ENABLED, "true");
    remember(ChangecastRouter.start(RouterConfig.fromMap(router)));
    edge =
        remember(
            ChangecastEdge.start(
                EdgeConfig.fromMap(
                    LocalStack.edgeSettings(
                        LocalOptions.ephemeral(APP_SOURCE), kafka.bootstrapServers(), state))));
    EmbeddedConnect connect = remember(kafka.startConnect(options -> options));
    ConnectorConfigFile source =
        ConnectorConfigFile.read(APP_SOURCE)
            .withOverrides(
                Map.of(
                    "connection.uri",
                    embeddedMongo.connectionString(),
                    "connector.class",
                    "io.changecast.connector.source.ChangecastSourceConnector"));
    connect.putConnector(source.name(), source.config());
    connect.awaitConnectorRunning(source.name(), DELIVERY);
    await().atMost(DELIVERY).until(edge::ready);
    mongo = remember(MongoClients.create(embeddedMongo.connectionString()));
  }

  @AfterAll
  static void stop() throws Exception {
    while (!RUNNING.isEmpty()) {
      RUNNING.pop().close();
    }
    GlobalOpenTelemetry.resetForTest();
  }

  @Test
  void oneChangeEventKeepsItsTraceFromTheConnectorToTheSseClient() throws Exception {
    String tenant = "trace-" + UUID.randomUUID().toString().substring(0, 8);
    ObjectId id = new ObjectId();
    JsonNode received;
    try (SseRecorder stream = SseRecorder.subscribe(edgeUrl(), tenant, "0")) {
      orders().insertOne(new Document("_id", id).append("tenantId", tenant));
      await().atMost(DELIVERY).until(() -> !stream.events().isEmpty());
      received = stream.events().get(0).envelope();
    }
    String traceId = traceId(received.path("traceparent").asText());

    ConsumerRecord<String, String> raw =
        first(RAW_TOPIC, r -> r.value().contains(id.toHexString()));
    ConsumerRecord<String, String> event = first(EVENTS, r -> tenant.equals(r.key()));
    ConsumerRecord<String, String> typed = first(TYPE_TOPIC, r -> tenant.equals(r.key()));
    assertThat(traceId(header(raw))).isEqualTo(traceId);
    assertThat(traceId(header(event))).isEqualTo(traceId);
    assertThat(traceId(JSON.readTree(event.value()).path("traceparent").asText()))
        .isEqualTo(traceId);
    assertThat(traceId(header(typed))).isEqualTo(traceId);
    assertThat(received.path("id").asText()).isEqualTo("1");

    List<SpanData> trace = awaitSpans(traceId, 5);
    SpanData poll = span(trace, "changecast.connector poll");
    SpanData parse = span(trace, "changecast.router parse");
    SpanData sequence = span(trace, "changecast.router sequence");
    SpanData commit = span(trace, "changecast.router commit");
    SpanData handOver = span(trace, "changecast.edge hand-over");
    assertThat(poll.getParentSpanId()).isEqualTo(SpanId.getInvalid());
    assertThat(parse.getParentSpanId()).isEqualTo(poll.getSpanId());
    assertThat(sequence.getParentSpanId()).isEqualTo(parse.getSpanId());
    assertThat(commit.getParentSpanId()).isEqualTo(sequence.getSpanId());
    assertThat(handOver.getParentSpanId()).isEqualTo(sequence.getSpanId());
    // what a subscriber reads is the routed record's context: the sequence span
    assertThat(received.path("traceparent").asText()).contains(sequence.getSpanId());
    assertThat(sequence.getAttributes().asMap().toString()).contains(tenant);
  }

  @Test
  void aDeadLetterCarriesTheTraceOfItsChangeEvent() {
    ObjectId id = new ObjectId();
    orders().insertOne(new Document("_id", id).append("note", "no tenant"));

    ConsumerRecord<String, String> raw =
        first(RAW_TOPIC, r -> r.value().contains(id.toHexString()));
    ConsumerRecord<String, String> dead = first(DLQ, r -> r.value().contains(id.toHexString()));
    String traceId = traceId(header(raw));
    assertThat(traceId(header(dead))).isEqualTo(traceId);

    List<SpanData> trace = awaitSpans(traceId, 3);
    SpanData poll = span(trace, "changecast.connector poll");
    SpanData parse = span(trace, "changecast.router parse");
    SpanData commit = span(trace, "changecast.router commit");
    assertThat(parse.getParentSpanId()).isEqualTo(poll.getSpanId());
    assertThat(commit.getParentSpanId()).isEqualTo(parse.getSpanId());
    assertThat(commit.getAttributes().asMap().toString()).contains(DLQ);
    assertThat(trace).extracting(SpanData::getName).doesNotContain("changecast.router sequence");
  }

  private static List<SpanData> awaitSpans(String traceId, int count) {
    return await()
        .atMost(DELIVERY)
        .until(
            () ->
                SPANS.getFinishedSpanItems().stream()
                    .filter(s -> s.getTraceId().equals(traceId))
                    .toList(),
            spans -> spans.size() >= count);
  }

  private static SpanData span(List<SpanData> trace, String name) {
    List<SpanData> named = trace.stream().filter(s -> s.getName().equals(name)).toList();
    assertThat(named).as("spans named %s in %s", name, trace).hasSize(1);
    return named.get(0);
  }

  /** The trace id of a {@code traceparent} value ({@code 00-<trace id>-<span id>-<flags>}). */
  private static String traceId(String traceparent) {
    assertThat(traceparent).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}");
    return traceparent.split("-")[1];
  }

  private static String header(ConsumerRecord<String, String> record) {
    Header header = record.headers().lastHeader("traceparent");
    assertThat(header).as("traceparent header of %s", record).isNotNull();
    return new String(header.value(), StandardCharsets.UTF_8);
  }

  /** The first committed record of {@code topic} matching {@code wanted}, polled for. */
  private static ConsumerRecord<String, String> first(
      String topic, Predicate<ConsumerRecord<String, String>> wanted) {
    try (KafkaConsumer<String, String> consumer =
        kafka.consumer(Map.of(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"))) {
      return await()
          .atMost(DELIVERY)
          .until(
              () -> {
                List<TopicPartition> partitions =
                    consumer.partitionsFor(topic, Duration.ofSeconds(5)).stream()
                        .map(p -> new TopicPartition(topic, p.partition()))
                        .toList();
                consumer.assign(partitions);
                consumer.seekToBeginning(partitions);
                Optional<ConsumerRecord<String, String>> found = Optional.empty();
                for (var records = consumer.poll(Duration.ofMillis(500));
                    !records.isEmpty() && found.isEmpty();
                    records = consumer.poll(Duration.ofMillis(200))) {
                  for (ConsumerRecord<String, String> r : records) {
                    if (r.value() != null && wanted.test(r)) {
                      found = Optional.of(r);
                      break;
                    }
                  }
                }
                return found;
              },
              Optional::isPresent)
          .get();
    }
  }

  private static MongoCollection<Document> orders() {
    return mongo.getDatabase("app").getCollection("orders");
  }

  private static java.net.URI edgeUrl() {
    return java.net.URI.create("http://" + LocalStack.HOST + ":" + edge.port());
  }

  private static <T extends AutoCloseable> T remember(T part) {
    RUNNING.push(part);
    return part;
  }
}
