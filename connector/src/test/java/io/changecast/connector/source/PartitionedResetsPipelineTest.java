package io.changecast.connector.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import io.changecast.contract.RawPartitions;
import io.changecast.embedded.kafka.EmbeddedConnect;
import io.changecast.embedded.mongo.EmbeddedMongo;
import io.changecast.embedded.mongo.MongoOptions;
import io.changecast.router.ChangecastRouter;
import io.changecast.router.config.RouterConfig;
import io.changecast.testsupport.KafkaBroker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Namespace-wide events on tenant-partitioned raw topics, on the real parts: embedded MongoDB, a
 * KRaft broker, a Connect worker running Changecast's source connector with {@code
 * changecast.raw.partitions=3} (records keyed by tenant with {@code TenantHeader}), and the router
 * with {@code raw.partitions=3}, so three tasks share the tenants. Tenants on all three partitions;
 * then a collection drop under {@code field:tenantId} and a {@code dropDatabase} under {@code
 * collection-prefix:_}: every affected tenant gets exactly one reset per event, after its earlier
 * events and before its later ones, and nothing is dead-lettered.
 */
class PartitionedResetsPipelineTest {

  private static final int PARTITIONS = 3;
  private static final Duration TIMEOUT = Duration.ofSeconds(90);
  private static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension static final KafkaBroker kafka = new KafkaBroker();

  @TempDir Path state;

  @Test
  void everyTaskResetsItsOwnTenantsOnceForACollectionDropAndADropDatabase() throws Exception {
    String run = KafkaBroker.unique("bcast").replace('-', '_');
    String fieldDb = "f" + run;
    String prefixDb = "p" + run;
    String events = run + ".events";
    String dlq = run + ".dlq";
    kafka.createTopic(events, 6);
    kafka.createTopic(dlq, 1);
    List<String> fieldTenants = tenants("fa");
    List<String> prefixTenants = tenants("pa");
    // the raw topics exist before the router starts: it need not find each one by metadata refresh
    List<String> raw = new ArrayList<>(List.of(fieldDb + ".orders", fieldDb + ".probes", prefixDb));
    raw.add(prefixDb + ".probe_orders");
    prefixTenants.forEach(t -> raw.add(prefixDb + "." + t + "_orders"));
    raw.forEach(name -> kafka.createTopic("changecast.raw." + name, PARTITIONS));

    try (EmbeddedMongo mongo = EmbeddedMongo.start(MongoOptions.defaults());
        MongoClient client = MongoClients.create(mongo.connectionString());
        ChangecastRouter router = ChangecastRouter.start(routerConfig(run, fieldDb, prefixDb));
        EmbeddedConnect connect = kafka.startConnect(options -> options);
        Routed routed = new Routed(events, dlq)) {
      MongoDatabase field = client.getDatabase(fieldDb);
      MongoDatabase prefix = client.getDatabase(prefixDb);
      connect.putConnector(
          fieldDb,
          source(
              mongo,
              fieldDb,
              Map.of(
                  "transforms.tenant.field",
                  "fullDocument.tenantId,fullDocumentBeforeChange.tenantId")));
      connect.putConnector(
          prefixDb,
          source(
              mongo,
              prefixDb,
              Map.of(
                  "transforms.tenant.field",
                  "ns.coll",
                  "transforms.tenant.prefix.separator",
                  "_")));
      connect.awaitConnectorRunning(fieldDb, TIMEOUT);
      connect.awaitConnectorRunning(prefixDb, TIMEOUT);
      awaitStreaming(routed, field, "fprobe", "probes", new Document("tenantId", "fprobe"));
      awaitStreaming(routed, prefix, "probe", "probe_orders", new Document());

      for (int i = 1; i <= 2; i++) {
        for (String tenant : fieldTenants) {
          field.getCollection("orders").insertOne(new Document("tenantId", tenant).append("n", i));
        }
        for (String tenant : prefixTenants) {
          prefix.getCollection(tenant + "_orders").insertOne(new Document("n", i));
        }
      }
      routed.await(fieldTenants, t -> t.size() == 2);
      routed.await(prefixTenants, t -> t.size() == 2);

      field.getCollection("orders").drop();
      routed.await(fieldTenants, t -> t.size() == 3);
      prefix.drop();
      routed.await(prefixTenants, t -> t.size() == 4);
      // the database's change stream was invalidated; the connector opens a new one from now
      awaitStreaming(routed, prefix, "probe", "probe_orders", new Document());

      for (String tenant : fieldTenants) {
        field.getCollection("orders").insertOne(new Document("tenantId", tenant).append("n", 3));
      }
      for (String tenant : prefixTenants) {
        prefix.getCollection(tenant + "_orders").insertOne(new Document("n", 3));
      }
      routed.await(fieldTenants, t -> t.size() == 4);
      routed.await(prefixTenants, t -> t.size() == 5);

      for (String tenant : fieldTenants) {
        List<JsonNode> log = routed.of(tenant);
        assertThat(log).extracting(e -> e.path("id").asText()).containsExactly("1", "2", "3", "4");
        assertThat(log)
            .extracting(PartitionedResetsPipelineTest::kind)
            .as("tenant %s", tenant)
            .containsExactly(
                "orders.created", "orders.created", "reset collection-dropped", "orders.created");
        assertThat(log.get(2).path("namespaces").toString())
            .isEqualTo("[{\"db\":\"" + fieldDb + "\",\"coll\":\"orders\"}]");
      }
      for (String tenant : prefixTenants) {
        List<JsonNode> log = routed.of(tenant);
        assertThat(log)
            .extracting(e -> e.path("id").asText())
            .containsExactly("1", "2", "3", "4", "5");
        List<String> kinds = log.stream().map(PartitionedResetsPipelineTest::kind).toList();
        assertThat(kinds.subList(0, 2)).containsOnly("orders.created");
        // the collection's drop and the database's (two raw topics: either may be routed first)
        assertThat(kinds.subList(2, 4))
            .as("tenant %s", tenant)
            .containsExactlyInAnyOrder("reset collection-dropped", "reset database-dropped");
        assertThat(kinds.get(4)).isEqualTo("orders.created");
      }
      assertThat(routed.deadLetters()).isEmpty();
    }
  }

  /** Two tenants of each raw partition, named {@code <prefix><n>}. */
  private static List<String> tenants(String prefix) {
    Map<Integer, List<String>> byPartition = new LinkedHashMap<>();
    for (int n = 0;
        byPartition.values().stream().mapToInt(List::size).sum() < 2 * PARTITIONS;
        n++) {
      String tenant = prefix + n;
      List<String> same =
          byPartition.computeIfAbsent(
              RawPartitions.partitionOf(tenant, PARTITIONS), p -> new ArrayList<>());
      if (same.size() < 2) {
        same.add(tenant);
      }
    }
    return byPartition.values().stream().flatMap(List::stream).toList();
  }

  private RouterConfig routerConfig(String run, String fieldDb, String prefixDb) {
    Map<String, String> config = new HashMap<>();
    config.put(RouterConfig.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
    config.put(RouterConfig.APPLICATION_ID, run);
    config.put(RouterConfig.STATE_DIR, state.toString());
    config.put(
        RouterConfig.RAW_TOPIC_PATTERN,
        "changecast\\.raw\\.(?:" + fieldDb + "|" + prefixDb + ")(?:\\..*)?");
    config.put(RouterConfig.EVENTS_TOPIC, run + ".events");
    config.put(RouterConfig.DLQ_TOPIC, run + ".dlq");
    config.put(RouterConfig.INGEST_TOPIC, "");
    config.put(RouterConfig.RAW_PARTITIONS, Integer.toString(PARTITIONS));
    config.put(RouterConfig.TENANT_STRATEGY, "field:tenantId");
    config.put(RouterConfig.COLLECTIONS_PREFIX + prefixDb + ".*.tenant", "collection-prefix:_");
    return RouterConfig.fromMap(config);
  }

  /** Changecast's source connector for {@code db}, keying its records by tenant. */
  private static Map<String, String> source(
      EmbeddedMongo mongo, String db, Map<String, String> tenantKey) {
    Map<String, String> config = ChangecastSourceConnectorTest.config(mongo, db, PARTITIONS);
    config.put(ChangecastSourceConfig.RAW_PARTITIONS_CONFIG, Integer.toString(PARTITIONS));
    config.put("transforms", "tenant");
    config.put("transforms.tenant.type", "io.changecast.connector.transforms.TenantHeader$Value");
    config.put("transforms.tenant.key", "true");
    config.putAll(tenantKey);
    return config;
  }

  /** Writes a probe document once a second until the router routed one for {@code tenant}. */
  private static void awaitStreaming(
      Routed routed, MongoDatabase db, String tenant, String collection, Document probe) {
    int before = routed.of(tenant).size();
    await()
        .atMost(TIMEOUT)
        .pollInterval(Duration.ofSeconds(1))
        .until(
            () -> {
              db.getCollection(collection).insertOne(new Document(probe));
              return routed.of(tenant).stream()
                  .skip(before)
                  .anyMatch(e -> e.path("type").asText().endsWith(".created"));
            });
  }

  /** The envelope's type, or {@code reset <reason>}. */
  private static String kind(JsonNode envelope) {
    String type = envelope.path("type").asText();
    return type.equals("changecast.reset") ? "reset " + envelope.path("reason").asText() : type;
  }

  /** Every committed envelope, by tenant, and every dead letter, as read so far. */
  private static final class Routed implements AutoCloseable {
    private final KafkaConsumer<String, String> consumer =
        kafka.consumer(Map.of(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"));
    private final String events;
    private final String dlq;
    private final Map<String, List<JsonNode>> byTenant = new HashMap<>();
    private final List<ConsumerRecord<String, String>> deadLetters = new ArrayList<>();

    Routed(String events, String dlq) {
      this.events = events;
      this.dlq = dlq;
      List<TopicPartition> partitions = new ArrayList<>();
      for (String topic : List.of(events, dlq)) {
        consumer
            .partitionsFor(topic)
            .forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
    }

    /** The envelopes of {@code tenant} read so far, after reading what is there. */
    List<JsonNode> of(String tenant) {
      drain();
      return byTenant.getOrDefault(tenant, List.of());
    }

    /** Waits until {@code done} holds for every tenant's envelopes; names what each has if not. */
    void await(List<String> tenants, Predicate<List<JsonNode>> done) {
      try {
        org.awaitility.Awaitility.await()
            .atMost(TIMEOUT)
            .until(() -> tenants.stream().allMatch(t -> done.test(of(t))));
      } catch (org.awaitility.core.ConditionTimeoutException e) {
        Map<String, List<String>> kinds = new LinkedHashMap<>();
        tenants.forEach(
            t ->
                kinds.put(
                    t + " (partition " + RawPartitions.partitionOf(t, PARTITIONS) + ")",
                    of(t).stream().map(PartitionedResetsPipelineTest::kind).toList()));
        throw new AssertionError("not every tenant got its events in time: " + kinds, e);
      }
    }

    /** The dead letters, read up to the DLQ's committed end. */
    List<ConsumerRecord<String, String>> deadLetters() {
      Map<TopicPartition, Long> ends =
          consumer.endOffsets(
              consumer.assignment().stream().filter(p -> p.topic().equals(dlq)).toList());
      org.awaitility.Awaitility.await()
          .atMost(TIMEOUT)
          .until(
              () -> {
                drain();
                return ends.entrySet().stream()
                    .allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
              });
      return deadLetters;
    }

    private void drain() {
      for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
        if (record.topic().equals(dlq)) {
          deadLetters.add(record);
        } else if (record.topic().equals(events)) {
          try {
            byTenant
                .computeIfAbsent(record.key(), t -> new ArrayList<>())
                .add(JSON.readTree(record.value()));
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      }
    }

    @Override
    public void close() {
      consumer.close();
    }
  }
}
