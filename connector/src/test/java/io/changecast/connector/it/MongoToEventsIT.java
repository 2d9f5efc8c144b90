package io.changecast.connector.it;

import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Updates.combine;
import static com.mongodb.client.model.Updates.inc;
import static com.mongodb.client.model.Updates.set;
import static com.mongodb.client.model.Updates.unset;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import io.changecast.connector.cli.internal.ConnectClient;
import io.changecast.connector.source.ChangecastSourceConnector;
import io.changecast.router.ChangecastRouter;
import io.changecast.router.config.RouterConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real end-to-end: a MongoDB 7.0 replica set, a Kafka 4.1 broker and a stock Connect worker in
 * containers ({@link PipelineContainers}), the connector configs of {@code connect-configs/} with
 * their own {@code connection.uri}, and the router in this JVM. Writes go through the MongoDB
 * driver; assertions read {@code changecast.events} as subscribers' edges do ({@code
 * read_committed}).
 *
 * <p>Skipped, not failed, where no Docker engine answers or an image is neither in the local engine
 * nor pullable within seconds ({@link ContainerImages}). Run with {@code ./mvnw -B verify -pl
 * connector -am} on a machine with Docker.
 */
class MongoToEventsIT {

  private static final Duration TIMEOUT = Duration.ofSeconds(90);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path APP_SOURCE = Path.of("..", "connect-configs", "app-source.json");

  /** The raw topics of database {@code docs}, whose connector publishes full documents only. */
  private static final String FULL_DOCUMENT_TOPICS = "changecast\\.raw\\.(?<db>docs)\\.(?<coll>.+)";

  /** Documents written until a new connector's change stream is open; their own tenant. */
  private static final String PROBE_TENANT = "probe";

  private static PipelineContainers containers;
  private static MongoClient mongo;
  private static ConnectClient connect;
  private static ChangecastRouter router;
  private static TopicReader events;

  /** Why the containers cannot start (no engine, an image that cannot be had), or null. */
  private static String unavailable;

  @TempDir static Path stateDir;

  /** Checks the images before any container starts; each test then skips with the reason. */
  @BeforeAll
  static void start() {
    unavailable = ContainerImages.unavailable(PipelineContainers.IMAGES).orElse(null);
    if (unavailable != null) {
      return;
    }
    containers = PipelineContainers.start();
    mongo = MongoClients.create(containers.mongoUri());
    connect = new ConnectClient(containers.connectUrl());
    router =
        ChangecastRouter.start(
            RouterConfig.fromMap(
                Map.of(
                    RouterConfig.BOOTSTRAP_SERVERS,
                    containers.bootstrapServers(),
                    RouterConfig.APPLICATION_ID,
                    "changecast-router-it-" + UUID.randomUUID(),
                    RouterConfig.STATE_DIR,
                    stateDir.toString(),
                    RouterConfig.INPUT_FORMAT_FULL_DOCUMENT_PATTERN,
                    FULL_DOCUMENT_TOPICS)));
    events = new TopicReader(containers.bootstrapServers(), "changecast.events");
  }

  @BeforeEach
  void imagesAvailable() {
    assumeTrue(unavailable == null, () -> unavailable);
  }

  @AfterAll
  static void stop() {
    if (events != null) {
      events.close();
    }
    if (router != null) {
      router.close();
    }
    if (mongo != null) {
      mongo.close();
    }
    if (containers != null) {
      containers.close();
    }
  }

  /**
   * {@code connect-configs/app-source.json} exactly as deployed (its {@code connection.uri}
   * discovers the replica set {@code rs0} at {@code mongo:27017}, as in compose): inserts, an
   * update with set and removed fields, a replace and deletes; the deletes carry no document and
   * reach their tenant through the router's documentKey store.
   */
  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void appSourceRoutesEveryOperationToItsTenantWithGaplessIds() throws Exception {
    MongoDatabase app = mongo.getDatabase("app");
    MongoCollection<Document> orders = app.getCollection("orders");
    Map<String, String> config = appSource();
    assertThat(config).containsEntry("connection.uri", PipelineContainers.MONGO_URI_IN_NETWORK);
    deploy("changecast-source-app", config);
    awaitStreaming(app);

    orders.insertOne(order("a1", "acme").append("status", "new").append("note", "gift"));
    orders.insertOne(order("g1", "globex").append("status", "new"));
    orders.insertOne(order("a2", "acme").append("status", "new"));
    orders.updateOne(
        eq("_id", "a1"), combine(set("status", "paid"), inc("total", 2), unset("note")));
    orders.replaceOne(eq("_id", "g1"), order("g1", "globex").append("status", "replaced"));
    orders.deleteOne(eq("_id", "a2"));
    orders.deleteOne(eq("_id", "g1"));

    List<JsonNode> acme = awaitEnvelopes("acme", 4);
    List<JsonNode> globex = awaitEnvelopes("globex", 3);

    assertThat(acme)
        .extracting(e -> e.path("id").asText(), e -> e.path("type").asText(), MongoToEventsIT::key)
        .containsExactly(
            tuple("1", "orders.created", "a1"),
            tuple("2", "orders.created", "a2"),
            tuple("3", "orders.updated", "a1"),
            tuple("4", "orders.deleted", "a2"));
    assertThat(globex)
        .extracting(e -> e.path("id").asText(), e -> e.path("type").asText(), MongoToEventsIT::key)
        .containsExactly(
            tuple("1", "orders.created", "g1"),
            tuple("2", "orders.replaced", "g1"),
            tuple("3", "orders.deleted", "g1"));
    assertThat(acme)
        .extracting(e -> e.path("operation").asText())
        .containsExactly("insert", "insert", "update", "delete");
    assertThat(globex)
        .extracting(e -> e.path("operation").asText())
        .containsExactly("insert", "replace", "delete");
    assertThat(acme)
        .allSatisfy(
            e -> {
              assertThat(e.path("database").asText()).isEqualTo("app");
              assertThat(e.path("collection").asText()).isEqualTo("orders");
              assertThat(e.path("clusterTime").isObject()).isTrue();
            });

    JsonNode updated = acme.get(2);
    assertThat(updated.path("changes").path("updatedFields"))
        .isEqualTo(json("{\"status\":\"paid\",\"total\":12}"));
    assertThat(updated.path("changes").path("removedFields")).isEqualTo(json("[\"note\"]"));
    assertThat(updated.path("document"))
        .isEqualTo(json("{\"_id\":\"a1\",\"tenantId\":\"acme\",\"total\":12,\"status\":\"paid\"}"));
    assertThat(globex.get(1).path("document"))
        .isEqualTo(
            json("{\"_id\":\"g1\",\"tenantId\":\"globex\",\"total\":10,\"status\":\"replaced\"}"));
    assertThat(globex.get(1).has("changes")).isFalse();
    assertThat(acme.get(3).has("document")).isFalse();
    assertThat(globex.get(2).has("document")).isFalse();
  }

  /**
   * The app-source variant with {@code change.stream.full.document.before.change=whenAvailable} on
   * a collection with {@code changeStreamPreAndPostImages}: the delete of a document written before
   * the connector started (the router never saw it) reaches its tenant through the pre-image; in a
   * collection without pre-images the same delete has no tenant and is dead-lettered.
   */
  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void preImagesRouteTheDeleteOfADocumentTheRouterNeverSaw() throws Exception {
    MongoDatabase billing = mongo.getDatabase("billing");
    billing.runCommand(
        new Document("create", "invoices")
            .append("changeStreamPreAndPostImages", new Document("enabled", true)));
    MongoCollection<Document> invoices = billing.getCollection("invoices");
    MongoCollection<Document> notes = billing.getCollection("notes");
    invoices.insertOne(
        new Document("_id", "i1").append("tenantId", "initech").append("amount", 100));
    notes.insertOne(new Document("_id", "n1").append("tenantId", "initech"));

    Map<String, String> config = appSource();
    config.put("database", "billing");
    config.put("change.stream.full.document.before.change", "whenAvailable");
    deploy("changecast-source-billing", config);
    awaitStreaming(billing);

    try (TopicReader raw =
            new TopicReader(containers.bootstrapServers(), "changecast.raw.billing.invoices");
        TopicReader dlq = new TopicReader(containers.bootstrapServers(), "changecast.dlq")) {
      invoices.insertOne(
          new Document("_id", "i2").append("tenantId", "initech").append("amount", 5));
      invoices.updateOne(eq("_id", "i2"), inc("amount", 1));
      invoices.deleteOne(eq("_id", "i1"));
      invoices.deleteOne(eq("_id", "i2"));
      notes.deleteOne(eq("_id", "n1"));

      List<JsonNode> initech = awaitEnvelopes("initech", 4);
      assertThat(initech)
          .extracting(
              e -> e.path("id").asText(),
              e -> e.path("type").asText(),
              e -> e.path("collection").asText(),
              MongoToEventsIT::key)
          .containsExactly(
              tuple("1", "invoices.created", "invoices", "i2"),
              tuple("2", "invoices.updated", "invoices", "i2"),
              tuple("3", "invoices.deleted", "invoices", "i1"),
              tuple("4", "invoices.deleted", "invoices", "i2"));
      assertThat(initech.get(1).path("changes").path("updatedFields"))
          .isEqualTo(json("{\"amount\":6}"));

      // the server sent the pre-image with the change event
      List<ConsumerRecord<String, String>> deletes =
          awaitRecords(raw, r -> "delete".equals(value(r).path("operationType").asText()), 2);
      assertThat(value(deletes.get(0)).path("fullDocumentBeforeChange"))
          .isEqualTo(json("{\"_id\":\"i1\",\"tenantId\":\"initech\",\"amount\":100}"));

      // without pre-images nothing names the tenant of n1
      List<ConsumerRecord<String, String>> dead =
          awaitRecords(
              dlq,
              r -> "changecast.raw.billing.notes".equals(headers(r).get("changecast.error.topic")),
              1);
      assertThat(dead).hasSize(1);
      assertThat(headers(dead.get(0)))
          .containsEntry("changecast.error.reason", "tenant-unresolved");
      assertThat(value(dead.get(0)).path("documentKey")).isEqualTo(json("{\"_id\":\"n1\"}"));
    }
  }

  /**
   * {@link ChangecastSourceConnector} from the plugin directory on the real replica set:
   * Changecast's defaults fill in what the official connector needs, every record names its source
   * in headers, and the router routes it like the official connector's.
   */
  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void changecastSourceConnectorStreamsWithSourceHeaders() throws Exception {
    MongoDatabase crm = mongo.getDatabase("crm");
    MongoCollection<Document> contacts = crm.getCollection("contacts");
    Map<String, String> config = new LinkedHashMap<>();
    config.put("connector.class", ChangecastSourceConnector.class.getName());
    config.put("tasks.max", "1");
    config.put("connection.uri", PipelineContainers.MONGO_URI_IN_NETWORK);
    config.put("database", "crm");
    config.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
    config.put("value.converter", "org.apache.kafka.connect.storage.StringConverter");
    config.put("poll.await.time.ms", "1000");
    config.put("topic.creation.default.partitions", "1");
    config.put("topic.creation.default.replication.factor", "-1");
    deploy("changecast-source-crm", config);
    awaitStreaming(crm);

    try (TopicReader raw =
        new TopicReader(containers.bootstrapServers(), "changecast.raw.crm.contacts")) {
      contacts.insertOne(new Document("_id", "c1").append("tenantId", "umbrella"));
      contacts.updateOne(eq("_id", "c1"), set("name", "Alice"));

      List<JsonNode> umbrella = awaitEnvelopes("umbrella", 2);
      assertThat(umbrella)
          .extracting(
              e -> e.path("id").asText(), e -> e.path("type").asText(), MongoToEventsIT::key)
          .containsExactly(
              tuple("1", "contacts.created", "c1"), tuple("2", "contacts.updated", "c1"));
      assertThat(umbrella.get(1).path("changes").path("updatedFields"))
          .isEqualTo(json("{\"name\":\"Alice\"}"));
      assertThat(umbrella.get(1).path("document"))
          .isEqualTo(json("{\"_id\":\"c1\",\"tenantId\":\"umbrella\",\"name\":\"Alice\"}"));

      List<ConsumerRecord<String, String>> records = awaitRecords(raw, r -> true, 2);
      assertThat(records)
          .allSatisfy(
              r ->
                  assertThat(headers(r))
                      .containsEntry("changecast.source.cluster", "mongo:27017")
                      .containsEntry("changecast.source.db", "crm")
                      .containsEntry("changecast.source.coll", "contacts")
                      .doesNotContainKey("changecast.control"));
      assertThat(json(records.get(0).key())).isEqualTo(json("{\"_id\":\"c1\"}"));
    }
  }

  /**
   * app-source.json with {@code publish.full.document.only=true} and tombstones, read by the router
   * through {@code input.format.full-document.pattern}: the validator's warning holds on a real
   * replica set; an insert and an update both become {@code orders.replaced} with the whole
   * document and no {@code changes}, and the delete's tombstone reaches its tenant as {@code
   * orders.deleted}.
   */
  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void fullDocumentOnlyTopicsBecomeReplacesAndDeletes() throws Exception {
    MongoDatabase docs = mongo.getDatabase("docs");
    MongoCollection<Document> orders = docs.getCollection("orders");
    Map<String, String> config = appSource();
    config.put("database", "docs");
    config.put("publish.full.document.only", "true");
    config.put("publish.full.document.only.tombstone.on.delete", "true");
    deploy("changecast-source-docs", config);
    awaitStreaming(docs);

    orders.insertOne(order("h1", "hooli"));
    orders.updateOne(eq("_id", "h1"), set("status", "paid"));
    orders.deleteOne(eq("_id", "h1"));

    List<JsonNode> hooli = awaitEnvelopes("hooli", 3);
    assertThat(hooli)
        .extracting(
            e -> e.path("id").asText(),
            e -> e.path("type").asText(),
            e -> e.path("operation").asText(),
            MongoToEventsIT::key)
        .containsExactly(
            tuple("1", "orders.replaced", "replace", "h1"),
            tuple("2", "orders.replaced", "replace", "h1"),
            tuple("3", "orders.deleted", "delete", "h1"));
    assertThat(hooli.get(1).path("document"))
        .isEqualTo(
            json("{\"_id\":\"h1\",\"tenantId\":\"hooli\",\"total\":10,\"status\":\"paid\"}"));
    assertThat(hooli).allSatisfy(e -> assertThat(e.has("changes")).isFalse());
    assertThat(hooli.get(2).has("document")).isFalse();
  }

  private static Document order(String id, String tenant) {
    return new Document("_id", id).append("tenantId", tenant).append("total", 10);
  }

  /** {@code connect-configs/app-source.json}'s {@code config}, as users deploy it. */
  private static Map<String, String> appSource() throws IOException {
    JsonNode file = JSON.readTree(Files.readString(APP_SOURCE));
    return new LinkedHashMap<>(
        JSON.convertValue(file.path("config"), new TypeReference<Map<String, String>>() {}));
  }

  /**
   * PUTs the config and waits until the connector and its task are RUNNING. A worker that answers
   * REST calls may still be joining its group: it answers 409 (rebalance in progress) or a 5xx
   * until it has, so those are retried; a 400 (invalid config) fails at once.
   */
  private static void deploy(String name, Map<String, String> config) throws Exception {
    ConnectClient.Response put =
        await()
            .atMost(TIMEOUT)
            .pollInterval(Duration.ofMillis(500))
            .until(
                () -> connect.putConfig(name, config), r -> r.status() != 409 && r.status() < 500);
    assertThat(put.status()).as(put.message()).isIn(200, 201);
    await()
        .atMost(TIMEOUT)
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(
            () -> {
              JsonNode status = connect.status(name).body();
              assertThat(status.path("connector").path("state").asText())
                  .as(status.toString())
                  .isEqualTo("RUNNING");
              assertThat(status.path("tasks"))
                  .as(status.toString())
                  .isNotEmpty()
                  .allSatisfy(t -> assertThat(t.path("state").asText()).isEqualTo("RUNNING"));
            });
  }

  /**
   * A new connector's change stream starts at the time its task first polls: writes before that are
   * not seen. Writes probe documents into {@code db} until one of them is routed.
   */
  private static void awaitStreaming(MongoDatabase db) {
    MongoCollection<Document> probes = db.getCollection("probes");
    await()
        .atMost(TIMEOUT)
        .pollInterval(Duration.ofSeconds(1))
        .until(
            () -> {
              probes.insertOne(new Document("tenantId", PROBE_TENANT));
              return events.poll().stream()
                  .map(MongoToEventsIT::value)
                  .anyMatch(
                      e ->
                          PROBE_TENANT.equals(e.path("tenant").asText())
                              && db.getName().equals(e.path("database").asText()));
            });
  }

  /** Waits for {@code count} envelopes of {@code tenant}; returns all of them seen so far. */
  private static List<JsonNode> awaitEnvelopes(String tenant, int count) {
    List<JsonNode> envelopes =
        await().atMost(TIMEOUT).until(() -> envelopesOf(tenant), e -> e.size() >= count);
    assertThat(envelopes).allSatisfy(e -> assertThat(e.path("tenant").asText()).isEqualTo(tenant));
    return envelopes;
  }

  private static List<JsonNode> envelopesOf(String tenant) {
    return events.poll(r -> tenant.equals(r.key())).stream().map(MongoToEventsIT::value).toList();
  }

  private static List<ConsumerRecord<String, String>> awaitRecords(
      TopicReader reader, Predicate<ConsumerRecord<String, String>> filter, int count) {
    return await().atMost(TIMEOUT).until(() -> reader.poll(filter), r -> r.size() >= count);
  }

  private static String key(JsonNode envelope) {
    return envelope.path("documentKey").path("_id").asText();
  }

  private static JsonNode value(ConsumerRecord<String, String> record) {
    return json(record.value());
  }

  private static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Map<String, String> headers(ConsumerRecord<String, String> record) {
    Map<String, String> headers = new HashMap<>();
    for (Header header : record.headers()) {
      headers.put(header.key(), new String(header.value(), StandardCharsets.UTF_8));
    }
    return headers;
  }
}
