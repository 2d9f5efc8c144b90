package io.changecast.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.changecast.local.SseRecorder.Received;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The official connector's invalidate-and-restart path, with the real connector (2.0.1) in a real
 * Connect worker: a source watching one collection ({@code app.orders}: the shipped {@code
 * app-source.json} plus {@code "collection": "orders"}) meets a drop of that collection. MongoDB
 * sends {@code drop} then {@code invalidate} and closes the stream. The connector publishes the
 * drop; the invalidate has no {@code ns}, so its topic mapper names no topic and it is logged ("No
 * topic set") and not published; then it opens a new stream without resume token. The subscribers
 * of the collection's tenants get a {@code changecast.reset} ({@code collection-dropped}), the task
 * stays RUNNING, and writes to the re-created collection reach them with the next ids. The source
 * also asks for pre-images ({@code change.stream.full.document.before.change=whenAvailable}): once
 * the collection has them ({@code collMod changeStreamPreAndPostImages}), a delete carries its
 * document's last state.
 */
class DropAndInvalidatePipelineTest {

  private static final Duration DELIVERY = Duration.ofSeconds(60);
  private static final Path APP_SOURCE = Path.of("..", "connect-configs", "app-source.json");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String CONNECTOR = "changecast-source-app-orders";

  @TempDir static Path dir;

  @RegisterExtension
  static final StackFixture PIPELINE =
      new StackFixture(DropAndInvalidatePipelineTest::ordersSource);

  /** The shipped source narrowed to {@code app.orders}, asking for pre-images. */
  private static LocalOptions ordersSource() throws IOException {
    ObjectNode file = (ObjectNode) JSON.readTree(Files.readString(APP_SOURCE));
    file.put("name", CONNECTOR);
    ((ObjectNode) file.get("config"))
        .put("collection", "orders")
        .put("change.stream.full.document.before.change", "whenAvailable");
    Path config = Files.writeString(dir.resolve("orders-source.json"), file.toString());
    return LocalOptions.ephemeral(config);
  }

  @Test
  void droppingTheWatchedCollectionResetsItsTenantsAndWritesAfterTheRestartArriveGapFree()
      throws Exception {
    String acme = tenant("acme");
    String globex = tenant("globex");
    try (SseRecorder acmeStream = SseRecorder.subscribe(PIPELINE.stack().edgeUrl(), acme, "0");
        SseRecorder globexStream = SseRecorder.subscribe(PIPELINE.stack().edgeUrl(), globex, "0")) {
      insert(acme);
      insert(globex);
      await().atMost(DELIVERY).until(() -> acmeStream.events().size() >= 1);
      await().atMost(DELIVERY).until(() -> globexStream.events().size() >= 1);

      PIPELINE.orders().drop();

      await().atMost(DELIVERY).until(() -> acmeStream.events().size() >= 2);
      await().atMost(DELIVERY).until(() -> globexStream.events().size() >= 2);
      for (SseRecorder stream : List.of(acmeStream, globexStream)) {
        List<Received> events = stream.events();
        assertThat(stream.ids()).containsExactly("1", "2");
        assertThat(events)
            .extracting(e -> e.envelope().path("type").asText())
            .containsExactly("orders.created", "changecast.reset");
        JsonNode reset = events.get(1).envelope();
        assertThat(reset.path("reason").asText()).isEqualTo("collection-dropped");
        assertThat(reset.path("namespaces").toString())
            .isEqualTo("[{\"db\":\"app\",\"coll\":\"orders\"}]");
      }

      // The server closed the stream after the invalidate; only a new one captures anything. The
      // connector opens it without resume token, from the present: a write made before that is
      // not captured (the official connector's behaviour, see the design notes). A probe tenant's
      // writes, one per second, tell when the new stream is open.
      String probe = tenant("probe");
      AtomicInteger probes = new AtomicInteger();
      try (SseRecorder probeStream =
          SseRecorder.subscribe(PIPELINE.stack().edgeUrl(), probe, "0")) {
        await()
            .atMost(DELIVERY)
            .pollInterval(Duration.ofSeconds(1))
            .until(
                () -> {
                  if (!probeStream.events().isEmpty()) {
                    return true;
                  }
                  probes.incrementAndGet();
                  insert(probe);
                  return false;
                });
        assertThat(probeStream.ids().get(0)).isEqualTo("1");
      }

      insert(acme);
      insert(globex);
      await().atMost(DELIVERY).until(() -> acmeStream.events().size() >= 3);
      await().atMost(DELIVERY).until(() -> globexStream.events().size() >= 3);
      assertThat(acmeStream.ids()).containsExactly("1", "2", "3");
      assertThat(globexStream.ids()).containsExactly("1", "2", "3");
      assertThat(acmeStream.events().get(2).envelope().path("type").asText())
          .isEqualTo("orders.created");
      System.out.printf(
          "drop/invalidate: %d probe write(s) until the restarted stream delivered one%n",
          probes.get());
    }

    JsonNode status = connectorStatus();
    assertThat(status.path("connector").path("state").asText()).isEqualTo("RUNNING");
    assertThat(status.path("tasks")).hasSize(1);
    assertThat(status.path("tasks").get(0).path("state").asText()).isEqualTo("RUNNING");
    // 2.0.1 publishes no invalidate: it would have gone to the bare prefix's topic
    assertThat(topics()).doesNotContain("changecast.raw.").contains("changecast.raw.app.orders");
    assertThat(deadLetters())
        .noneMatch(r -> r.value() != null && r.value().contains("\"operationType\": \"drop\""))
        .noneMatch(r -> r.value() != null && r.value().contains("invalidate"));
  }

  @Test
  void aDeleteCarriesItsPreImageOnceTheCollectionHasThemAndReachesItsTenant() {
    String initech = tenant("initech");
    try (SseRecorder stream = SseRecorder.subscribe(PIPELINE.stack().edgeUrl(), initech, "0")) {
      Object id = insert(initech);
      await().atMost(DELIVERY).until(() -> stream.events().size() >= 1);
      PIPELINE
          .mongo()
          .getDatabase("app")
          .runCommand(
              new Document("collMod", "orders")
                  .append("changeStreamPreAndPostImages", new Document("enabled", true)));
      PIPELINE.orders().deleteOne(new Document("_id", id));

      await().atMost(DELIVERY).until(() -> stream.events().size() >= 2);
      assertThat(stream.ids()).containsExactly("1", "2");
      assertThat(stream.events().get(1).envelope().path("type").asText())
          .isEqualTo("orders.deleted");
      JsonNode delete =
          rawRecords("changecast.raw.app.orders").stream()
              .map(r -> parse(r.value()))
              .filter(v -> v.path("operationType").asText().equals("delete"))
              .filter(
                  v ->
                      v.path("documentKey").path("_id").path("$oid").asText().equals(id.toString()))
              .findFirst()
              .orElseThrow();
      assertThat(delete.path("fullDocumentBeforeChange").path("tenantId").asText())
          .isEqualTo(initech);
    }
  }

  private static JsonNode parse(String json) {
    try {
      return JSON.readTree(json);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static Object insert(String tenant) {
    Document document = new Document("tenantId", tenant).append("status", "placed");
    PIPELINE.orders().insertOne(document);
    return document.get("_id");
  }

  private static String tenant(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  private static JsonNode connectorStatus() throws Exception {
    URI uri = PIPELINE.stack().connectUrl().resolve("/connectors/" + CONNECTOR + "/status");
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    return JSON.readTree(response.body());
  }

  private static java.util.Set<String> topics() throws Exception {
    try (Admin admin =
        Admin.create(
            Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                PIPELINE.stack().kafkaBootstrapServers()))) {
      return admin.listTopics().names().get();
    }
  }

  /** Every record of the dead-letter topic so far (read to its end offsets). */
  private static List<ConsumerRecord<String, String>> deadLetters() {
    return rawRecords("changecast.dlq");
  }

  /** Every committed record of {@code topic} so far (read to its end offsets). */
  private static List<ConsumerRecord<String, String>> rawRecords(String topic) {
    List<ConsumerRecord<String, String>> seen = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer = PIPELINE.committedConsumer(Map.of())) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
              .map(p -> new TopicPartition(p.topic(), p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      await()
          .atMost(DELIVERY)
          .until(
              () -> {
                consumer.poll(Duration.ofMillis(200)).forEach(seen::add);
                return partitions.stream().allMatch(p -> consumer.position(p) >= end.get(p));
              });
    }
    return seen;
  }
}
