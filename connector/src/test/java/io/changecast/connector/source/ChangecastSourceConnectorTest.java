package io.changecast.connector.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import io.changecast.embedded.kafka.ConnectRestException;
import io.changecast.embedded.kafka.EmbeddedConnect;
import io.changecast.embedded.mongo.EmbeddedMongo;
import io.changecast.embedded.mongo.MongoOptions;
import io.changecast.testsupport.KafkaBroker;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.common.header.Header;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/**
 * The connector in a real Connect worker, on a real broker, reading the embedded MongoDB: source
 * headers, and the history-lost path (the server answers 286 once the stored resume token has
 * fallen out of its bounded history).
 */
@Timeout(120)
class ChangecastSourceConnectorTest {

  private static final int HISTORY_LIMIT = 20;
  private static final Duration TIMEOUT = Duration.ofSeconds(45);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final AtomicInteger IDS = new AtomicInteger();

  private static EmbeddedMongo mongo;
  private static MongoClient client;
  @RegisterExtension static final KafkaBroker kafka = new KafkaBroker();

  private static EmbeddedConnect connect;

  @BeforeAll
  static void start() {
    mongo = EmbeddedMongo.start(MongoOptions.defaults().withHistoryLimit(HISTORY_LIMIT));
    client = MongoClients.create(mongo.connectionString());
    connect = kafka.startConnect(options -> options);
  }

  @AfterAll
  static void stop() {
    if (connect != null) {
      connect.close();
    }
    if (client != null) {
      client.close();
    }
    if (mongo != null) {
      mongo.close();
    }
  }

  @Test
  void restartFromNowAnnouncesTheLostHistoryOnceAndKeepsStreaming() throws Exception {
    String db = "shop" + IDS.incrementAndGet();
    String name = "changecast-" + db;
    String topic = "changecast.raw." + db + ".orders";
    MongoCollection<Document> orders = client.getDatabase(db).getCollection("orders");
    Map<String, String> config = config(db);
    config.put("collection", "orders");
    config.put("changecast.cluster.name", "test-cluster");

    connect.putConnector(name, config);
    connect.awaitConnectorRunning(name, TIMEOUT);
    try (KafkaConsumer<String, String> consumer = consumer(topic)) {
      orders.insertOne(new Document("_id", "before").append("tenantId", "t1"));
      ConsumerRecord<String, String> first = readUntil(consumer, new ArrayList<>(), "before");
      assertThat(JSON.readTree(first.key())).isEqualTo(JSON.readTree("{\"_id\":\"before\"}"));
      assertThat(JSON.readTree(first.value()).path("operationType").asText()).isEqualTo("insert");
      assertThat(headers(first))
          .containsEntry("changecast.source.cluster", "test-cluster")
          .containsEntry("changecast.source.db", db)
          .containsEntry("changecast.source.coll", "orders")
          .doesNotContainKey("changecast.control");

      // while the connector is stopped, more changes than the server retains
      awaitStoredOffset(name, "_id");
      rest("PUT", "/connectors/" + name + "/stop");
      awaitState(name, "STOPPED");
      orders.insertMany(
          IntStream.range(0, HISTORY_LIMIT + 5)
              .mapToObj(i -> new Document("_id", "lost" + i).append("tenantId", "t1"))
              .toList());
      rest("PUT", "/connectors/" + name + "/resume");
      connect.awaitConnectorRunning(name, TIMEOUT);
      orders.insertOne(new Document("_id", "after").append("tenantId", "t1"));

      List<ConsumerRecord<String, String>> seen = new ArrayList<>();
      readUntil(consumer, seen, "after");

      List<ConsumerRecord<String, String>> controls =
          seen.stream().filter(r -> r.headers().lastHeader("changecast.control") != null).toList();
      assertThat(controls).hasSize(1);
      ConsumerRecord<String, String> control = controls.get(0);
      assertThat(headers(control))
          .containsEntry("changecast.control", "history-lost")
          .containsEntry("changecast.source.cluster", "test-cluster")
          .containsEntry("changecast.source.db", db)
          .containsEntry("changecast.source.coll", "orders");
      assertThat(JSON.readTree(control.key()))
          .isEqualTo(JSON.readTree("{\"db\":\"" + db + "\",\"coll\":\"orders\"}"));
      JsonNode value = JSON.readTree(control.value());
      assertThat(value.path("type").asText()).isEqualTo("history-lost");
      assertThat(value.path("namespaces"))
          .isEqualTo(JSON.readTree("[{\"db\":\"" + db + "\",\"coll\":\"orders\"}]"));
      assertThat(value.path("policy").asText()).isEqualTo("restart-from-now");
      assertThat(value.path("detectedAt").isIntegralNumber()).isTrue();
      assertThat(value.path("detectedAt").asLong()).isPositive();
      assertThat(value.size()).isEqualTo(4);

      // restarted from the current time: nothing written while stopped, the control record first
      assertThat(seen).extracting(this::documentId).doesNotContain("lost0", "lost24");
      assertThat(seen.get(seen.size() - 1))
          .satisfies(r -> assertThat(documentId(r)).isEqualTo("after"));
      assertThat(seen.indexOf(control)).isLessThan(seen.size() - 1);
    } finally {
      rest("DELETE", "/connectors/" + name);
    }
  }

  /**
   * On tenant-partitioned raw topics ({@code changecast.raw.partitions=3}) the loss is announced
   * once in each partition, so every router task resets its own tenants.
   */
  @Test
  void onPartitionedRawTopicsTheLostHistoryIsAnnouncedOnceInEveryPartition() throws Exception {
    String db = "shop" + IDS.incrementAndGet();
    String name = "changecast-" + db;
    String topic = "changecast.raw." + db + ".orders";
    MongoCollection<Document> orders = client.getDatabase(db).getCollection("orders");
    Map<String, String> config = config(db);
    config.put("collection", "orders");
    config.put("topic.creation.default.partitions", "3");
    config.put(ChangecastSourceConfig.RAW_PARTITIONS_CONFIG, "3");

    connect.putConnector(name, config);
    connect.awaitConnectorRunning(name, TIMEOUT);
    try (KafkaConsumer<String, String> consumer = consumer(topic)) {
      orders.insertOne(new Document("_id", "before").append("tenantId", "t1"));
      readUntil(consumer, new ArrayList<>(), "before");
      awaitStoredOffset(name, "_id");
      rest("PUT", "/connectors/" + name + "/stop");
      awaitState(name, "STOPPED");
      orders.insertMany(
          IntStream.range(0, HISTORY_LIMIT + 5)
              .mapToObj(i -> new Document("_id", "lost" + i).append("tenantId", "t1"))
              .toList());
      rest("PUT", "/connectors/" + name + "/resume");
      connect.awaitConnectorRunning(name, TIMEOUT);
      orders.insertOne(new Document("_id", "after").append("tenantId", "t1"));

      List<ConsumerRecord<String, String>> seen = new ArrayList<>();
      readUntil(consumer, seen, "after");
      // every partition up to its end: the copies in the other partitions were written before
      Map<org.apache.kafka.common.TopicPartition, Long> ends =
          consumer.endOffsets(consumer.assignment());
      await()
          .atMost(TIMEOUT)
          .until(
              () -> {
                pollInto(consumer, seen);
                return ends.entrySet().stream()
                    .allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
              });

      List<ConsumerRecord<String, String>> controls =
          seen.stream().filter(r -> r.headers().lastHeader("changecast.control") != null).toList();
      assertThat(controls).extracting(ConsumerRecord::partition).containsExactlyInAnyOrder(0, 1, 2);
      assertThat(controls).extracting(ConsumerRecord::value).containsOnly(controls.get(0).value());
      assertThat(controls).extracting(ConsumerRecord::key).containsOnly(controls.get(0).key());
      assertThat(JSON.readTree(controls.get(0).value()).path("type").asText())
          .isEqualTo("history-lost");
    } finally {
      rest("DELETE", "/connectors/" + name);
    }
  }

  @Test
  void failPolicyAnnouncesTheLostHistoryThenFailsTheTask() throws Exception {
    String db = "shop" + IDS.incrementAndGet();
    String name = "changecast-" + db;
    String topic = "changecast.raw." + db;
    MongoCollection<Document> orders = client.getDatabase(db).getCollection("orders");
    Map<String, String> config = config(db);
    config.put("changecast.history.lost.policy", "fail");

    connect.putConnector(name, config);
    connect.awaitConnectorRunning(name, TIMEOUT);
    try (KafkaConsumer<String, String> events = consumer(topic + ".orders");
        KafkaConsumer<String, String> controls = consumer(topic)) {
      orders.insertOne(new Document("_id", "before"));
      ConsumerRecord<String, String> first = readUntil(events, new ArrayList<>(), "before");
      assertThat(headers(first))
          .containsEntry("changecast.source.cluster", "127.0.0.1:" + mongo.port())
          .containsEntry("changecast.source.db", db)
          .containsEntry("changecast.source.coll", "orders");

      awaitStoredOffset(name, "_id");
      rest("PUT", "/connectors/" + name + "/stop");
      awaitState(name, "STOPPED");
      orders.insertMany(
          IntStream.range(0, HISTORY_LIMIT + 5).mapToObj(i -> new Document("_id", i)).toList());
      rest("PUT", "/connectors/" + name + "/resume");

      JsonNode failed = awaitTaskFailed(name);
      assertThat(failed.path("trace").asText())
          .contains(
              "is lost: its resume token is no longer in the oplog (ChangeStreamHistoryLost, 286),"
                  + " and changecast.history.lost.policy=fail stops the task. A history-lost"
                  + " control record was written to "
                  + topic);

      List<ConsumerRecord<String, String>> announced = new ArrayList<>();
      await().atMost(TIMEOUT).until(() -> pollInto(controls, announced) >= 1);
      ConsumerRecord<String, String> control = announced.get(0);
      assertThat(headers(control))
          .containsEntry("changecast.control", "history-lost")
          .containsEntry("changecast.source.db", db)
          .doesNotContainKey("changecast.source.coll");
      assertThat(JSON.readTree(control.key())).isEqualTo(JSON.readTree("{\"db\":\"" + db + "\"}"));
      JsonNode value = JSON.readTree(control.value());
      assertThat(value.path("namespaces")).isEqualTo(JSON.readTree("[{\"db\":\"" + db + "\"}]"));
      assertThat(value.path("policy").asText()).isEqualTo("fail");

      // the announcement is stored with the offset: a restarted task fails again, silently
      JsonNode stored = awaitStoredOffset(name, "changecast.history.lost");
      assertThat(stored.path("changecast.history.lost.policy").asText()).isEqualTo("fail");
      assertThat(stored.path("changecast.history.lost").asText())
          .isEqualTo(value.path("detectedAt").asText());
      rest("PUT", "/connectors/" + name + "/stop");
      awaitState(name, "STOPPED");
      rest("PUT", "/connectors/" + name + "/resume");
      assertThat(awaitTaskFailed(name).path("trace").asText())
          .contains("changecast.history.lost.policy=fail stops the task");
      pollInto(controls, announced);
      assertThat(announced).hasSize(1);
    } finally {
      rest("DELETE", "/connectors/" + name);
    }
  }

  @Test
  void copyExistingAnnouncesTheLostHistoryThenCopiesEveryDocument() throws Exception {
    String db = "shop" + IDS.incrementAndGet();
    String name = "changecast-" + db;
    String topic = "changecast.raw." + db + ".orders";
    MongoCollection<Document> orders = client.getDatabase(db).getCollection("orders");
    Map<String, String> config = config(db);
    config.put("collection", "orders");
    config.put("changecast.history.lost.policy", "copy-existing");

    connect.putConnector(name, config);
    connect.awaitConnectorRunning(name, TIMEOUT);
    try (KafkaConsumer<String, String> consumer = consumer(topic)) {
      orders.insertOne(new Document("_id", "before"));
      readUntil(consumer, new ArrayList<>(), "before");

      awaitStoredOffset(name, "_id");
      rest("PUT", "/connectors/" + name + "/stop");
      awaitState(name, "STOPPED");
      orders.insertMany(
          IntStream.range(0, HISTORY_LIMIT + 5)
              .mapToObj(i -> new Document("_id", "lost" + i))
              .toList());
      rest("PUT", "/connectors/" + name + "/resume");
      connect.awaitConnectorRunning(name, TIMEOUT);
      orders.insertOne(new Document("_id", "after"));

      List<String> everyDocument = new ArrayList<>(List.of("before", "after"));
      IntStream.range(0, HISTORY_LIMIT + 5).forEach(i -> everyDocument.add("lost" + i));
      List<ConsumerRecord<String, String>> seen = new ArrayList<>();
      await()
          .atMost(TIMEOUT)
          .until(
              () -> {
                pollInto(consumer, seen);
                return copied(afterControl(seen)).containsAll(everyDocument);
              });

      List<ConsumerRecord<String, String>> controls =
          seen.stream().filter(r -> r.headers().lastHeader("changecast.control") != null).toList();
      assertThat(controls).hasSize(1);
      assertThat(JSON.readTree(controls.get(0).value()).path("policy").asText())
          .isEqualTo("copy-existing");
    } finally {
      rest("DELETE", "/connectors/" + name);
    }
  }

  /**
   * {@code publish.full.document.only=true} on a database watch: accepted, a warning naming what is
   * lost logged at start, bare documents and (defaulted) tombstones for deletes, and source headers
   * taken from the topic's name, never from a document's own {@code ns} field.
   */
  @Test
  void fullDocumentOnlyStreamsDocumentsAndTombstonesNamedByTheirTopic() throws Exception {
    String db = "docs" + IDS.incrementAndGet();
    String name = "changecast-" + db;
    MongoCollection<Document> orders = client.getDatabase(db).getCollection("orders");
    Map<String, String> config = config(db);
    config.put("publish.full.document.only", "true");
    Logger logger = (Logger) LoggerFactory.getLogger(ChangecastSourceConnector.class);
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.start();
    logger.addAppender(logs);
    try {
      connect.putConnector(name, config);
      connect.awaitConnectorRunning(name, TIMEOUT);
      await()
          .atMost(TIMEOUT)
          .untilAsserted(
              () ->
                  assertThat(List.copyOf(logs.list))
                      .extracting(ILoggingEvent::getLevel, ILoggingEvent::getFormattedMessage)
                      .contains(
                          tuple(
                              Level.WARN,
                              "Changecast runs with less information: "
                                  + ChangecastSourceConfigTest.FULL_DOCUMENT_ONLY_WARNING)));
    } finally {
      logger.detachAppender(logs);
    }
    try (KafkaConsumer<String, String> consumer = consumer("changecast.raw." + db + ".orders")) {
      orders.insertOne(
          new Document("_id", "d1")
              .append("tenantId", "t1")
              .append("ns", new Document("db", "other").append("coll", "elsewhere")));
      orders.deleteOne(new Document("_id", "d1"));

      List<ConsumerRecord<String, String>> seen = new ArrayList<>();
      await()
          .atMost(TIMEOUT)
          .until(() -> pollInto(consumer, seen) >= 2 && seen.get(1).value() == null);

      ConsumerRecord<String, String> document = seen.get(0);
      assertThat(JSON.readTree(document.key())).isEqualTo(JSON.readTree("{\"_id\":\"d1\"}"));
      assertThat(JSON.readTree(document.value()))
          .isEqualTo(
              JSON.readTree(
                  "{\"_id\":\"d1\",\"tenantId\":\"t1\","
                      + "\"ns\":{\"db\":\"other\",\"coll\":\"elsewhere\"}}"));
      ConsumerRecord<String, String> tombstone = seen.get(1);
      assertThat(JSON.readTree(tombstone.key())).isEqualTo(JSON.readTree("{\"_id\":\"d1\"}"));
      assertThat(List.of(document, tombstone))
          .allSatisfy(
              r ->
                  assertThat(headers(r))
                      .containsEntry("changecast.source.db", db)
                      .containsEntry("changecast.source.coll", "orders")
                      .containsKey("changecast.source.cluster")
                      .doesNotContainKey("changecast.control"));
    } finally {
      rest("DELETE", "/connectors/" + name);
    }
  }

  @Test
  void workerRejectsAConfigChangecastCannotRouteNamingTheOption() {
    String db = "shop" + IDS.incrementAndGet();
    Map<String, String> config = config(db);
    config.put("output.format.value", "bson");
    config.remove("value.converter");

    assertThatThrownBy(() -> connect.putConnector("changecast-" + db, config))
        .isInstanceOf(ConnectRestException.class)
        .hasMessageContaining("400")
        .hasMessageContaining(
            "output.format.value: found \\\"bson\\\", expected \\\"json\\\" (the router"
                + " parses each raw record's value as a JSON change event)")
        .hasMessageContaining(
            "value.converter: found nothing (not set), expected"
                + " \\\"org.apache.kafka.connect.storage.StringConverter\\\"");
  }

  @Test
  void onlineValidationAddsChangecastChecksToTheOfficialConnectors() {
    Map<String, String> config = config("validated");
    config.remove("connector.class");

    Config valid = new ChangecastSourceConnector().validate(config);
    assertThat(valid.configValues())
        .allSatisfy(v -> assertThat(v.errorMessages()).as(v.name()).isEmpty());
    assertThat(valid.configValues())
        .extracting(ConfigValue::name)
        .contains("connection.uri", "changecast.history.lost.policy", "changecast.cluster.name");

    config.put("change.stream.full.document", "default");
    Config invalid = new ChangecastSourceConnector().validate(config);
    assertThat(invalid.configValues())
        .filteredOn(v -> !v.errorMessages().isEmpty())
        .extracting(ConfigValue::name, ConfigValue::errorMessages)
        .containsExactly(
            tuple(
                "change.stream.full.document",
                List.of(
                    "change.stream.full.document: found \"default\", expected"
                        + " \"updateLookup\" (or \"whenAvailable\", \"required\") (without it"
                        + " update events carry no document, so envelopes of updates have none"
                        + " and their tenant cannot be read from the document)")));
  }

  /** The records after the first control record (none when there is no control record). */
  private static List<ConsumerRecord<String, String>> afterControl(
      List<ConsumerRecord<String, String>> records) {
    for (int i = 0; i < records.size(); i++) {
      if (records.get(i).headers().lastHeader("changecast.control") != null) {
        return records.subList(i + 1, records.size());
      }
    }
    return List.of();
  }

  private static List<String> copied(List<ConsumerRecord<String, String>> records) {
    List<String> ids = new ArrayList<>();
    for (ConsumerRecord<String, String> r : records) {
      try {
        String id = JSON.readTree(r.value()).path("documentKey").path("_id").asText(null);
        if (id != null) {
          ids.add(id);
        }
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    }
    return ids;
  }

  private static Map<String, String> config(String db) {
    return config(mongo, db, 1);
  }

  /**
   * Changecast's source connector on {@code db} of {@code mongo}, string converters, raw topics of
   * {@code partitions} partitions (also the tests of other classes in this package).
   */
  static Map<String, String> config(EmbeddedMongo mongo, String db, int partitions) {
    Map<String, String> config = new HashMap<>();
    config.put("connector.class", ChangecastSourceConnector.class.getName());
    config.put("tasks.max", "1");
    config.put("connection.uri", mongo.connectionString());
    config.put("database", db);
    config.put("key.converter", ChangecastSourceConfig.STRING_CONVERTER);
    config.put("value.converter", ChangecastSourceConfig.STRING_CONVERTER);
    config.put("poll.await.time.ms", "200");
    config.put("heartbeat.topic.name", "changecast.heartbeats." + db);
    config.put("topic.creation.default.partitions", Integer.toString(partitions));
    config.put("topic.creation.default.replication.factor", "-1");
    return config;
  }

  private static KafkaConsumer<String, String> consumer(String topic) {
    KafkaConsumer<String, String> consumer = kafka.consumer(Map.of());
    consumer.subscribe(List.of(topic));
    return consumer;
  }

  private static int pollInto(
      KafkaConsumer<String, String> consumer, List<ConsumerRecord<String, String>> into) {
    consumer.poll(Duration.ofMillis(200)).forEach(into::add);
    return into.size();
  }

  /** Reads into {@code seen} until the change of document {@code id} arrives; returns it. */
  private ConsumerRecord<String, String> readUntil(
      KafkaConsumer<String, String> consumer,
      List<ConsumerRecord<String, String>> seen,
      String id) {
    await()
        .atMost(TIMEOUT)
        .until(
            () -> {
              pollInto(consumer, seen);
              return seen.stream().anyMatch(r -> id.equals(documentId(r)));
            });
    return seen.stream().filter(r -> id.equals(documentId(r))).findFirst().orElseThrow();
  }

  private String documentId(ConsumerRecord<String, String> record) {
    try {
      JsonNode value = JSON.readTree(record.value());
      return value.path("documentKey").path("_id").asText(null);
    } catch (Exception e) {
      return null;
    }
  }

  private static Map<String, String> headers(ConsumerRecord<String, String> record) {
    Map<String, String> headers = new HashMap<>();
    for (Header header : record.headers()) {
      headers.put(header.key(), new String(header.value(), StandardCharsets.UTF_8));
    }
    return headers;
  }

  private static JsonNode status(String name) throws Exception {
    return JSON.readTree(rest("GET", "/connectors/" + name + "/status"));
  }

  private static void awaitState(String name, String state) {
    await()
        .atMost(TIMEOUT)
        .until(
            () -> {
              JsonNode status = status(name);
              return state.equals(status.path("connector").path("state").asText())
                  && status.path("tasks").isEmpty();
            });
  }

  private static JsonNode awaitTaskFailed(String name) {
    return await()
        .atMost(TIMEOUT)
        .until(
            () -> status(name).path("tasks").path(0),
            task -> "FAILED".equals(task.path("state").asText()));
  }

  /** Waits until Connect stores an offset with {@code key} for the connector; returns it. */
  private static JsonNode awaitStoredOffset(String name, String key) {
    return await()
        .atMost(TIMEOUT)
        .until(
            () ->
                JSON.readTree(rest("GET", "/connectors/" + name + "/offsets"))
                    .path("offsets")
                    .path(0)
                    .path("offset"),
            offset -> offset.has(key));
  }

  private static String rest(String method, String path) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(connect.restUrl() + path))
            .timeout(Duration.ofSeconds(30))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .build();
    HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode())
        .as(method + " " + path + ": " + response.body())
        .isLessThan(300);
    return response.body();
  }
}
