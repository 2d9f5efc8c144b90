package io.changecast.embedded.mongo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.mongodb.MongoCredential;
import com.mongodb.client.MongoCollection;
import com.mongodb.kafka.connect.MongoSourceConnector;
import com.mongodb.kafka.connect.source.MongoSourceTask;
import com.mongodb.kafka.connect.util.ConnectionValidator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.common.metrics.PluginMetrics;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTaskContext;
import org.apache.kafka.connect.storage.OffsetStorageReader;
import org.bson.BsonDocument;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The official MongoDB Kafka source connector (2.0.1) validates against and reads from the server.
 */
@Timeout(120)
class ConnectorCompatibilityTest {

  @RegisterExtension static final MongoFixture MONGO = new MongoFixture();

  private static Map<String, String> sourceConfig(String database) {
    Map<String, String> config = new HashMap<>();
    config.put("connection.uri", MONGO.mongo().connectionString());
    config.put("database", database);
    config.put("topic.prefix", "raw");
    config.put("poll.await.time.ms", "200");
    return config;
  }

  @Test
  void connectorValidationReportsNoErrors() {
    Config config = new MongoSourceConnector().validate(sourceConfig("validated"));

    for (ConfigValue value : config.configValues()) {
      assertThat(value.errorMessages()).as(value.name()).isEmpty();
    }
  }

  @Test
  void privilegeCheckFindsChangeStreamAndFindActions() {
    // the connector runs this check when the connection string carries credentials
    ConfigValue uri = new ConfigValue("connection.uri");
    Config config = new Config(List.of(uri));
    MongoCredential credential =
        MongoCredential.createCredential("changecast", "admin", "unused".toCharArray());

    ConnectionValidator.validateUserHasActions(
        MONGO.client(),
        credential,
        List.of("changeStream", "find"),
        "app",
        "orders",
        uri.name(),
        config);

    assertThat(uri.errorMessages()).isEmpty();
    Document status =
        MONGO
            .client()
            .getDatabase("app")
            .runCommand(Document.parse("{connectionStatus: 1, showPrivileges: true}"));
    assertThat(status.get("authInfo", Document.class).getList("authenticatedUsers", Object.class))
        .isEmpty();
    assertThat(
            status
                .get("authInfo", Document.class)
                .getList("authenticatedUserPrivileges", Document.class))
        .anySatisfy(
            privilege ->
                assertThat(privilege.getList("actions", String.class))
                    .contains("changeStream", "find"));
  }

  @Test
  void helloAnswersLikeAPrimary() {
    Document hello = MONGO.client().getDatabase("admin").runCommand(new Document("hello", 1));

    assertThat(hello.getBoolean("isWritablePrimary")).isTrue();
    assertThat(hello.get("maxWireVersion", Number.class).intValue()).isGreaterThanOrEqualTo(8);
    assertThat(hello.get("ok", Number.class).doubleValue()).isEqualTo(1.0);
  }

  @Test
  void sourceTaskPublishesChangeEventsAndResumesFromItsOffset() {
    String database = MONGO.freshDatabase("connector").getName();
    MongoCollection<Document> orders = MONGO.client().getDatabase(database).getCollection("orders");
    Map<String, Object> storedOffset = new HashMap<>();

    MongoSourceTask task = new MongoSourceTask();
    task.initialize(context(sourceConfig(database), Map.of()));
    task.start(sourceConfig(database));
    try {
      orders.insertOne(new Document("_id", 1).append("tenantId", "t1"));
      List<SourceRecord> records = pollUntil(task, 1);

      SourceRecord record = records.get(0);
      assertThat(record.topic()).isEqualTo("raw." + database + ".orders");
      BsonDocument value = BsonDocument.parse((String) record.value());
      assertThat(value.getString("operationType").getValue()).isEqualTo("insert");
      assertThat(value.getDocument("ns"))
          .isEqualTo(BsonDocument.parse("{db: '" + database + "', coll: 'orders'}"));
      assertThat(value.getDocument("documentKey")).isEqualTo(BsonDocument.parse("{_id: 1}"));
      storedOffset.putAll(record.sourceOffset());
    } finally {
      task.stop();
    }

    orders.insertOne(new Document("_id", 2));
    orders.deleteOne(new Document("_id", 1));

    MongoSourceTask resumed = new MongoSourceTask();
    resumed.initialize(context(sourceConfig(database), storedOffset));
    resumed.start(sourceConfig(database));
    try {
      List<SourceRecord> records = pollUntil(resumed, 2);
      assertThat(records)
          .extracting(
              r -> BsonDocument.parse((String) r.value()).getString("operationType").getValue())
          .containsExactly("insert", "delete");
      BsonDocument delete = BsonDocument.parse((String) records.get(1).value());
      assertThat(delete.containsKey("fullDocument")).isFalse();
    } finally {
      resumed.stop();
    }
  }

  @Test
  void copyExistingStartupCopiesDocumentsThenStreams() {
    String database = MONGO.freshDatabase("connector").getName();
    MongoCollection<Document> orders = MONGO.client().getDatabase(database).getCollection("orders");
    orders.insertOne(new Document("_id", 1).append("tenantId", "t1"));
    orders.insertOne(new Document("_id", 2).append("tenantId", "t2"));
    Map<String, String> config = sourceConfig(database);
    config.put("startup.mode", "copy_existing");

    MongoSourceTask task = new MongoSourceTask();
    task.initialize(context(config, Map.of()));
    task.start(config);
    try {
      List<BsonDocument> copied = values(pollUntil(task, 2));
      assertThat(copied)
          .extracting(v -> v.getDocument("fullDocument"))
          .containsExactlyInAnyOrder(
              BsonDocument.parse("{_id: 1, tenantId: 't1'}"),
              BsonDocument.parse("{_id: 2, tenantId: 't2'}"));
      assertThat(copied)
          .allSatisfy(
              v ->
                  assertThat(v.getDocument("ns"))
                      .isEqualTo(BsonDocument.parse("{db: '" + database + "', coll: 'orders'}")));

      orders.insertOne(new Document("_id", 3));
      assertThat(values(pollUntil(task, 1)))
          .extracting(v -> v.getDocument("documentKey"))
          .containsExactly(BsonDocument.parse("{_id: 3}"));
    } finally {
      task.stop();
    }
  }

  private static List<BsonDocument> values(List<SourceRecord> records) {
    return records.stream().map(r -> BsonDocument.parse((String) r.value())).toList();
  }

  private static List<SourceRecord> pollUntil(MongoSourceTask task, int count) {
    List<SourceRecord> records = new ArrayList<>();
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> {
              List<SourceRecord> polled = task.poll();
              if (polled != null) {
                records.addAll(polled);
              }
              return records.size() >= count;
            });
    assertThat(records).hasSize(count);
    return records;
  }

  private static SourceTaskContext context(
      Map<String, String> configs, Map<String, Object> offset) {
    OffsetStorageReader reader =
        new OffsetStorageReader() {
          @Override
          public <T> Map<String, Object> offset(Map<String, T> partition) {
            return offset.isEmpty() ? null : offset;
          }

          @Override
          public <T> Map<Map<String, T>, Map<String, Object>> offsets(
              Collection<Map<String, T>> partitions) {
            Map<Map<String, T>, Map<String, Object>> result = new HashMap<>();
            partitions.forEach(p -> result.put(p, offset(p)));
            return result;
          }
        };
    return new SourceTaskContext() {
      @Override
      public Map<String, String> configs() {
        return configs;
      }

      @Override
      public OffsetStorageReader offsetStorageReader() {
        return reader;
      }

      @Override
      public PluginMetrics pluginMetrics() {
        return null;
      }
    };
  }
}
