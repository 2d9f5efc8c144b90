package io.changecast.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Updates;
import io.changecast.local.SseRecorder.Received;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The real pipeline end to end: embedded MongoDB with faithful change streams, a KRaft broker, a
 * distributed Connect worker running the official MongoSourceConnector with the shipped config, the
 * router and the edge; writes made with the MongoDB driver, read with a real SSE client.
 */
class LocalPipelineTest {

  private static final Duration DELIVERY = Duration.ofSeconds(60);
  private static final Path APP_SOURCE = Path.of("..", "connect-configs", "app-source.json");

  @RegisterExtension
  static final StackFixture PIPELINE = StackFixture.shared(LocalOptions.ephemeral(APP_SOURCE));

  @Test
  void writesReachOnlyTheirTenantsStreamInWriteOrderAndResumeFromLastEventId() {
    String acme = tenant("acme");
    String globex = tenant("globex");
    try (SseRecorder acmeStream = SseRecorder.subscribe(PIPELINE.stack().edgeUrl(), acme, "0");
        SseRecorder globexStream = SseRecorder.subscribe(PIPELINE.stack().edgeUrl(), globex, "0")) {

      ObjectId a1 = insert(acme, "placed");
      ObjectId b1 = insert(globex, "placed");
      ObjectId a2 = insert(acme, "placed");
      PIPELINE
          .orders()
          .updateOne(
              Filters.eq("_id", a1),
              Updates.combine(Updates.set("status", "paid"), Updates.unset("note")));
      PIPELINE.orders().updateOne(Filters.eq("_id", b1), Updates.set("status", "paid"));
      PIPELINE
          .orders()
          .replaceOne(
              Filters.eq("_id", a2), new Document("tenantId", acme).append("status", "shipped"));
      PIPELINE.orders().deleteOne(Filters.eq("_id", a1));
      ObjectId b2 = insert(globex, "placed");

      await().atMost(DELIVERY).until(() -> acmeStream.events().size() >= 5);
      await().atMost(DELIVERY).until(() -> globexStream.events().size() >= 3);

      List<Received> acmeEvents = acmeStream.events();
      assertThat(acmeStream.ids()).containsExactly("1", "2", "3", "4", "5");
      assertThat(acmeEvents)
          .extracting(e -> e.envelope().path("type").asText())
          .containsExactly(
              "orders.created",
              "orders.created",
              "orders.updated",
              "orders.replaced",
              "orders.deleted");
      assertThat(acmeEvents)
          .extracting(e -> e.envelope().path("operation").asText())
          .containsExactly("insert", "insert", "update", "replace", "delete");
      assertThat(acmeEvents)
          .extracting(e -> objectId(e.envelope()))
          .containsExactly(
              a1.toHexString(),
              a2.toHexString(),
              a1.toHexString(),
              a2.toHexString(),
              a1.toHexString());
      assertThat(acmeEvents).allSatisfy(e -> assertEnvelope(e, acme));

      JsonNode update = acmeEvents.get(2).envelope();
      assertThat(update.path("changes").path("updatedFields").path("status").asText())
          .isEqualTo("paid");
      assertThat(update.path("changes").path("removedFields").toString()).isEqualTo("[\"note\"]");
      assertThat(acmeEvents.get(3).envelope().path("document").path("status").asText())
          .isEqualTo("shipped");
      assertThat(acmeEvents.get(4).envelope().has("document")).isFalse();

      assertThat(globexStream.ids()).containsExactly("1", "2", "3");
      assertThat(globexStream.events())
          .extracting(e -> e.envelope().path("type").asText())
          .containsExactly("orders.created", "orders.updated", "orders.created");
      assertThat(globexStream.events())
          .extracting(e -> objectId(e.envelope()))
          .containsExactly(b1.toHexString(), b1.toHexString(), b2.toHexString());
      assertThat(globexStream.events()).allSatisfy(e -> assertEnvelope(e, globex));
      // updateLookup: the post-image is the document when the event is read; b1 is not changed
      // again, so it is the updated document (a1's was deleted meanwhile, so its may be absent).
      assertThat(globexStream.events().get(1).envelope().path("document").path("status").asText())
          .isEqualTo("paid");
    }

    // A client that disconnected after id 2 resumes with Last-Event-ID: 2.
    try (SseRecorder resumed = SseRecorder.subscribe(PIPELINE.stack().edgeUrl(), acme, "2")) {
      await().atMost(DELIVERY).until(() -> resumed.events().size() >= 3);
      ObjectId a3 = insert(acme, "placed");

      await().atMost(DELIVERY).until(() -> resumed.events().size() >= 4);
      assertThat(resumed.ids()).containsExactly("3", "4", "5", "6");
      assertThat(objectId(resumed.events().get(3).envelope())).isEqualTo(a3.toHexString());
    }
  }

  @Test
  void aMalformedRawRecordIsSetAsideAndTheNextWriteGetsTheNextId() {
    String tenant = tenant("initech");
    try (SseRecorder stream = SseRecorder.subscribe(PIPELINE.stack().edgeUrl(), tenant, "0")) {
      insert(tenant, "placed");
      await().atMost(DELIVERY).until(() -> stream.events().size() >= 1);

      String garbage = "{not json " + UUID.randomUUID();
      try (KafkaProducer<String, String> producer = producer()) {
        producer.send(new ProducerRecord<>("changecast.raw.app.orders", "{}", garbage));
      }
      insert(tenant, "paid");

      await().atMost(DELIVERY).until(() -> stream.events().size() >= 2);
      assertThat(stream.ids()).containsExactly("1", "2");
      assertThat(stream.events().get(1).envelope().path("document").path("status").asText())
          .isEqualTo("paid");

      ConsumerRecord<String, String> dead = awaitDeadLetter(garbage);
      assertThat(header(dead, "changecast.error.topic")).isEqualTo("changecast.raw.app.orders");
      assertThat(header(dead, "changecast.error.reason")).isNotBlank();
    }
  }

  private static void assertEnvelope(Received event, String tenant) {
    JsonNode envelope = event.envelope();
    assertThat(envelope.path("id").asText()).isEqualTo(event.id());
    assertThat(envelope.path("tenant").asText()).isEqualTo(tenant);
    assertThat(envelope.path("database").asText()).isEqualTo("app");
    assertThat(envelope.path("collection").asText()).isEqualTo("orders");
    assertThat(envelope.path("clusterTime").path("t").asLong()).isPositive();
    assertThat(envelope.path("wallTime").asLong()).isPositive();
    assertThat(envelope.path("routedAt").asLong()).isPositive();
  }

  private static ObjectId insert(String tenant, String status) {
    ObjectId id = new ObjectId();
    PIPELINE
        .orders()
        .insertOne(
            new Document("_id", id)
                .append("tenantId", tenant)
                .append("status", status)
                .append("note", "from the test"));
    return id;
  }

  private static String objectId(JsonNode envelope) {
    return envelope.path("documentKey").path("_id").path("$oid").asText();
  }

  private static String tenant(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  private static KafkaProducer<String, String> producer() {
    return new KafkaProducer<>(
        Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, PIPELINE.stack().kafkaBootstrapServers()),
        new StringSerializer(),
        new StringSerializer());
  }

  private static ConsumerRecord<String, String> awaitDeadLetter(String value) {
    List<ConsumerRecord<String, String>> seen = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer =
        PIPELINE.committedConsumer(
            Map.of(
                ConsumerConfig.GROUP_ID_CONFIG,
                "dlq-check-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest"))) {
      consumer.subscribe(List.of("changecast.dlq"));
      await()
          .atMost(DELIVERY)
          .until(
              () -> {
                consumer.poll(Duration.ofMillis(200)).forEach(seen::add);
                return seen.stream().anyMatch(r -> value.equals(r.value()));
              });
    }
    return seen.stream().filter(r -> value.equals(r.value())).findFirst().orElseThrow();
  }

  private static String header(ConsumerRecord<String, String> record, String name) {
    var header = record.headers().lastHeader(name);
    return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
  }
}
