package io.changecast.router;

import static io.changecast.router.RawEvents.delete;
import static io.changecast.router.RawEvents.insert;
import static io.changecast.router.RawEvents.key;
import static io.changecast.router.RawEvents.replace;
import static io.changecast.router.RawEvents.update;
import static io.changecast.router.RawEvents.updateWithoutPostImage;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.changecast.router.config.RouterConfig;
import io.changecast.router.config.Sequencing;
import io.changecast.router.internal.runtime.StreamsProperties;
import io.changecast.router.metrics.RouterMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyDescription;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class RouterTopologyTest {

  private static final long NOW = 1_700_000_999_000L;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String OID_A = "655f0c0000000000000000a1";
  private static final String OID_B = "655f0c0000000000000000b2";

  @TempDir Path stateDir;

  private SimpleMeterRegistry registry;
  private TopologyTestDriver driver;
  private TestInputTopic<String, String> orders;
  private TestOutputTopic<String, String> events;
  private TestOutputTopic<String, String> dlq;

  @BeforeEach
  void start() {
    RouterConfig config =
        RouterConfig.fromMap(
            Map.of(
                "bootstrap.servers",
                "unused:9092",
                "application.id",
                "router-test-" + UUID.randomUUID(),
                "state.dir",
                stateDir.toString()));
    registry = new SimpleMeterRegistry();
    RouterMetrics metrics = new RouterMetrics(registry);
    driver =
        new TopologyTestDriver(
            RouterTopology.build(
                config, metrics, Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC)),
            StreamsProperties.from(config, metrics));
    orders =
        driver.createInputTopic(
            "changecast.raw.app.orders", new StringSerializer(), new StringSerializer());
    events =
        driver.createOutputTopic(
            "changecast.events", new StringDeserializer(), new StringDeserializer());
    dlq =
        driver.createOutputTopic(
            "changecast.dlq", new StringDeserializer(), new StringDeserializer());
  }

  @AfterEach
  void stop() {
    driver.close();
  }

  @Test
  void insertBecomesCreatedEnvelopeKeyedByTenant() throws Exception {
    orders.pipeInput(key(OID_A), insert(OID_A, "acme", 5));

    TestRecord<String, String> out = events.readRecord();
    assertThat(out.key()).isEqualTo("acme");
    JsonNode envelope = JSON.readTree(out.value());
    assertThat(fieldNames(envelope))
        .containsExactly(
            "id",
            "tenant",
            "type",
            "operation",
            "database",
            "collection",
            "documentKey",
            "document",
            "clusterTime",
            "wallTime",
            "routedAt");
    assertThat(envelope)
        .isEqualTo(
            JSON.readTree(
                """
                {"id": "1", "tenant": "acme", "type": "orders.created", "operation": "insert",
                 "database": "app", "collection": "orders",
                 "documentKey": {"_id": {"$oid": "%1$s"}},
                 "document": {"_id": {"$oid": "%1$s"}, "tenantId": "acme", "total": 5},
                 "clusterTime": {"t": 1700000000, "i": 1}, "wallTime": 1700000000123,
                 "routedAt": %2$d}"""
                    .formatted(OID_A, NOW)));
    assertThat(envelope.get("id").isTextual()).isTrue();
    assertThat(envelope.get("clusterTime").get("t").isIntegralNumber()).isTrue();
    assertThat(envelope.get("wallTime").isIntegralNumber()).isTrue();
    assertThat(envelope.get("routedAt").isIntegralNumber()).isTrue();
    assertThat(dlq.isEmpty()).isTrue();
  }

  @Test
  void updateWithPostImageCarriesDocumentAndChanges() throws Exception {
    orders.pipeInput(key(OID_A), update(OID_A, "acme", 7));

    JsonNode envelope = JSON.readTree(events.readValue());
    assertThat(fieldNames(envelope))
        .containsExactly(
            "id",
            "tenant",
            "type",
            "operation",
            "database",
            "collection",
            "documentKey",
            "document",
            "changes",
            "clusterTime",
            "wallTime",
            "routedAt");
    assertThat(envelope.get("type").asText()).isEqualTo("orders.updated");
    assertThat(envelope.get("operation").asText()).isEqualTo("update");
    assertThat(envelope.get("document").get("total").asInt()).isEqualTo(7);
    assertThat(envelope.get("changes"))
        .isEqualTo(
            JSON.readTree(
                """
                {"updatedFields": {"total": 7}, "removedFields": ["note"], "truncatedArrays": []}"""));
    assertThat(fieldNames(envelope.get("changes")))
        .containsExactly("updatedFields", "removedFields", "truncatedArrays");
    assertThat(envelope.get("clusterTime")).isEqualTo(JSON.readTree("{\"t\":1700000001,\"i\":2}"));
    assertThat(envelope.get("wallTime").asLong()).isEqualTo(1_700_000_001_456L); // ISO $date
  }

  @Test
  void updateWithoutPostImageResolvesTenantFromEarlierEventOfTheDocument() throws Exception {
    orders.pipeInput(key(OID_A), insert(OID_A, "acme", 5));
    orders.pipeInput(key(OID_A), updateWithoutPostImage(OID_A));

    List<TestRecord<String, String>> out = events.readRecordsToList();
    assertThat(out).extracting(TestRecord::key).containsExactly("acme", "acme");
    JsonNode update = JSON.readTree(out.get(1).value());
    assertThat(update.get("id").asText()).isEqualTo("2");
    assertThat(update.has("document")).isFalse();
    assertThat(update.get("changes").get("truncatedArrays"))
        .isEqualTo(JSON.readTree("[{\"field\": \"items\", \"newSize\": 1}]"));
    assertThat(update.get("wallTime").asLong()).isEqualTo(1_700_000_002_789L); // $numberLong
  }

  @Test
  void replaceBecomesReplacedEnvelope() throws Exception {
    orders.pipeInput(key(OID_A), replace(OID_A, "acme", 9));

    JsonNode envelope = JSON.readTree(events.readValue());
    assertThat(envelope.get("type").asText()).isEqualTo("orders.replaced");
    assertThat(envelope.get("operation").asText()).isEqualTo("replace");
    assertThat(envelope.get("document").get("total").asInt()).isEqualTo(9);
    assertThat(envelope.has("changes")).isFalse();
  }

  @Test
  void deleteAfterInsertReachesTheInsertsTenantThenForgetsTheDocument() throws Exception {
    orders.pipeInput(key(OID_A), insert(OID_A, "acme", 5));
    orders.pipeInput(key(OID_B), insert(OID_B, "globex", 1));
    orders.pipeInput(key(OID_A), delete(OID_A));

    List<TestRecord<String, String>> out = events.readRecordsToList();
    assertThat(out).extracting(TestRecord::key).containsExactly("acme", "globex", "acme");
    JsonNode deleted = JSON.readTree(out.get(2).value());
    assertThat(fieldNames(deleted))
        .containsExactly(
            "id",
            "tenant",
            "type",
            "operation",
            "database",
            "collection",
            "documentKey",
            "clusterTime",
            "wallTime",
            "routedAt");
    assertThat(deleted.get("id").asText()).isEqualTo("2");
    assertThat(deleted.get("type").asText()).isEqualTo("orders.deleted");
    assertThat(deleted.get("documentKey")).isEqualTo(JSON.readTree(docKey(OID_A)));

    orders.pipeInput(key(OID_A), delete(OID_A)); // a second delete: the document was forgotten
    assertThat(events.isEmpty()).isTrue();
    assertThat(header(dlq.readRecord().headers(), "changecast.error.reason"))
        .isEqualTo("tenant-unresolved");
  }

  @Test
  void documentKeyFieldOrderDoesNotMatterForTheDocumentTenantStore() throws Exception {
    orders.pipeInput(
        "k",
        """
        {"operationType": "insert", "ns": {"db": "app", "coll": "orders"},
         "documentKey": {"region": "eu", "_id": 7},
         "fullDocument": {"_id": 7, "region": "eu", "tenantId": "acme"}}""");
    orders.pipeInput(
        "k",
        """
        {"operationType": "delete", "ns": {"db": "app", "coll": "orders"},
         "documentKey": {"_id": 7, "region": "eu"}}""");

    assertThat(events.readKeyValuesToList())
        .extracting(kv -> kv.key)
        .containsExactly("acme", "acme");
  }

  @Test
  void interleavedTenantsGetTheirOwnGaplessIdsInInputOrder() throws Exception {
    TestInputTopic<String, String> invoices =
        driver.createInputTopic(
            "changecast.raw.app.invoices", new StringSerializer(), new StringSerializer());
    List<String> expected = new ArrayList<>();
    int acme = 0;
    int globex = 0;
    for (int i = 0; i < 12; i++) {
      String oid = "655f0c00000000000000%04d".formatted(i);
      boolean toAcme = i % 3 != 1;
      (i % 2 == 0 ? orders : invoices)
          .pipeInput(key(oid), insert(oid, toAcme ? "acme" : "globex", i));
      expected.add((toAcme ? "acme:" + ++acme : "globex:" + ++globex) + ":" + i);
    }

    List<String> actual = new ArrayList<>();
    for (TestRecord<String, String> record : events.readRecordsToList()) {
      JsonNode envelope = JSON.readTree(record.value());
      assertThat(envelope.get("tenant").asText()).isEqualTo(record.key());
      actual.add(
          record.key()
              + ":"
              + envelope.get("id").asText()
              + ":"
              + envelope.get("document").get("total").asInt());
    }
    assertThat(actual).containsExactlyElementsOf(expected);
  }

  @Test
  void replayingTenPercentOfTheRawRecordsYieldsNoDuplicatedId() throws Exception {
    List<String[]> raw = new ArrayList<>();
    String[] tenants = {"acme", "globex", "initech", "umbrella"};
    for (int i = 0; i < 400; i++) {
      String oid = "655f0c0000000000000%05d".formatted(i % 97);
      String tenant = tenants[(i % 97) % tenants.length];
      raw.add(new String[] {key(oid), i < 97 ? insert(oid, tenant, i) : update(oid, tenant, i)});
    }
    java.util.Random random = new java.util.Random(42);
    List<String[]> input = new ArrayList<>();
    for (int i = 0; i < raw.size(); i++) {
      input.add(raw.get(i));
      if (i == 299) { // a connector restart: the last 20 uncommitted records come again
        input.addAll(raw.subList(280, 300));
      }
    }
    for (int i = 0; i < 20; i++) { // and 20 more anywhere later, as single re-sends
      int at = 100 + random.nextInt(300);
      input.add(Math.min(input.size(), at + 40), raw.get(at));
    }
    assertThat(input).hasSize(440); // 10% replayed
    input.forEach(r -> orders.pipeInput(r[0], r[1]));

    Map<String, List<Long>> ids = new java.util.TreeMap<>();
    for (String value : events.readValuesToList()) {
      JsonNode envelope = JSON.readTree(value);
      ids.computeIfAbsent(envelope.get("tenant").asText(), t -> new ArrayList<>())
          .add(envelope.get("id").asLong());
    }
    assertThat(ids.values().stream().mapToInt(List::size).sum()).isEqualTo(400);
    ids.forEach(
        (tenant, list) ->
            assertThat(list)
                .as(tenant)
                .containsExactlyElementsOf(
                    java.util.stream.LongStream.rangeClosed(1, list.size()).boxed().toList()));
    assertThat(dlq.isEmpty()).isTrue();
    assertThat(
            registry
                .counter(RouterMetrics.DUPLICATES, "topic", "changecast.raw.app.orders")
                .count())
        .isEqualTo(40.0);
  }

  static Stream<Arguments> rejected() {
    return Stream.of(
        Arguments.of(
            "malformed JSON", "{\"operationType\": \"insert\",", "malformed-json", "parse"),
        Arguments.of("trailing garbage", "{} {}", "malformed-json", "parse"),
        Arguments.of("empty value", "", "malformed-json", "parse"),
        Arguments.of("JSON array", "[1, 2]", "not-an-object", "parse"),
        Arguments.of("JSON string", "\"insert\"", "not-an-object", "parse"),
        Arguments.of("null value", null, "null-value", "parse"),
        Arguments.of(
            "no operationType",
            insert(OID_A, "acme", 1).replace("\"operationType\": \"insert\",", ""),
            "missing-field",
            "parse"),
        Arguments.of(
            "no ns",
            insert(OID_A, "acme", 1)
                .replace("\"ns\": {\"db\": \"app\", \"coll\": \"orders\"},", ""),
            "missing-field",
            "parse"),
        Arguments.of(
            "no documentKey",
            "{\"operationType\": \"delete\", \"ns\": {\"db\": \"app\", \"coll\": \"orders\"}}",
            "missing-field",
            "parse"),
        Arguments.of(
            "insert without fullDocument",
            delete(OID_A).replace("\"delete\"", "\"insert\""),
            "missing-field",
            "parse"),
        Arguments.of(
            "garbled clusterTime",
            insert(OID_A, "acme", 1).replace("\"t\": 1700000000", "\"t\": \"soon\""),
            "invalid-field",
            "parse"),
        Arguments.of(
            "an operation the router does not know",
            "{\"operationType\": \"reshardBegin\", \"ns\": {\"db\": \"app\", \"coll\": \"orders\"}}",
            "unsupported-operation",
            "parse"),
        Arguments.of(
            "document without tenant",
            insert(OID_A, "acme", 1).replace("\"tenantId\": \"acme\", ", ""),
            "tenant-unresolved",
            "resolve-tenant"),
        Arguments.of(
            "delete of an unseen document", delete(OID_B), "tenant-unresolved", "resolve-tenant"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rejected")
  void rejectedRecordGoesToTheDlqWithHeadersAndConsumesNoId(
      String description, String value, String reason, String stage) throws Exception {
    orders.pipeInput(key(OID_A), insert(OID_A, "acme", 1));
    String next = RawEvents.retoken(value); // built before the insert, sent after it
    orders.pipeInput("the-original-key", next);
    orders.pipeInput(key(OID_A), update(OID_A, "acme", 2));

    TestRecord<String, String> dead = dlq.readRecord();
    assertThat(dead.key()).isEqualTo("the-original-key");
    assertThat(dead.value()).isEqualTo(next);
    Headers headers = dead.headers();
    assertThat(header(headers, "changecast.error.reason")).isEqualTo(reason);
    assertThat(header(headers, "changecast.error.stage")).isEqualTo(stage);
    assertThat(header(headers, "changecast.error.topic")).isEqualTo("changecast.raw.app.orders");
    assertThat(header(headers, "changecast.error.partition")).isEqualTo("0");
    assertThat(header(headers, "changecast.error.offset")).isEqualTo("1");
    assertThat(header(headers, "changecast.error.detail")).isNotBlank();
    assertThat(dlq.isEmpty()).isTrue();

    assertThat(events.readValuesToList())
        .extracting(v -> JSON.readTree(v).get("id").asText())
        .containsExactly("1", "2");
    assertThat(registry.counter(RouterMetrics.INVALID, "reason", reason).count()).isEqualTo(1.0);
    assertThat(registry.counter(RouterMetrics.ROUTED, "operation", "insert").count()).isEqualTo(1);
  }

  @Test
  void rejectedRecordKeepsItsSourceHeaders() {
    orders.pipeInput(
        new TestRecord<>(
            "k",
            "not json",
            new org.apache.kafka.common.header.internals.RecordHeaders()
                .add("trace", "t-1".getBytes(StandardCharsets.UTF_8))));

    Headers headers = dlq.readRecord().headers();
    assertThat(header(headers, "trace")).isEqualTo("t-1");
    assertThat(header(headers, "changecast.error.reason")).isEqualTo("malformed-json");
  }

  @Test
  void directSequencingIsOneSubtopologyReadingRawTopicsAndIngestThroughOnePattern() {
    TopologyDescription description =
        RouterTopology.build(
                RouterConfig.fromMap(Map.of("bootstrap.servers", "unused:9092")),
                RouterMetrics.inMemory())
            .describe();

    assertThat(description.subtopologies()).hasSize(1);
    TopologyDescription.Subtopology only = description.subtopologies().iterator().next();
    assertThat(only.nodes())
        .filteredOn(n -> n instanceof TopologyDescription.Source)
        .extracting(TopologyDescription.Node::name)
        .containsExactly("raw-source");
    Pattern sources =
        ((TopologyDescription.Source)
                only.nodes().stream()
                    .filter(n -> n.name().equals("raw-source"))
                    .findFirst()
                    .orElseThrow())
            .topicPattern();
    assertThat(sources.matcher("changecast.raw.app.orders").matches()).isTrue();
    assertThat(sources.matcher("changecast.ingest").matches()).isTrue();
    assertThat(sources.matcher("changecast.ingestX").matches()).isFalse();
    assertThat(only.nodes())
        .extracting(TopologyDescription.Node::name)
        .contains("parse-ingested", "assign-sequence", "events-sink");
    assertThat(description.toString()).doesNotContain("repartition");
  }

  @Test
  void byTenantSequencingGivesRawTopicsASubtopologyOfTheirOwnSoNewCollectionsStartNewTasks() {
    TopologyDescription description =
        RouterTopology.build(
                RouterConfig.fromMap(
                    Map.of("bootstrap.servers", "unused:9092", "sequencing", "by-tenant")),
                RouterMetrics.inMemory())
            .describe();

    TopologyDescription.Subtopology raw =
        description.subtopologies().stream()
            .filter(s -> s.nodes().stream().anyMatch(n -> n.name().equals("raw-source")))
            .findFirst()
            .orElseThrow();
    assertThat(raw.nodes())
        .filteredOn(n -> n instanceof TopologyDescription.Source)
        .extracting(TopologyDescription.Node::name)
        .containsExactly("raw-source");
    TopologyDescription.Subtopology sequencing =
        description.subtopologies().stream()
            .filter(s -> s.nodes().stream().anyMatch(n -> n.name().equals("assign-sequence")))
            .findFirst()
            .orElseThrow();
    assertThat(sequencing.nodes())
        .filteredOn(n -> n instanceof TopologyDescription.Source)
        .flatExtracting(n -> ((TopologyDescription.Source) n).topicSet())
        .containsExactlyInAnyOrder("by-tenant-repartition", "ingest-by-tenant-repartition");
  }

  @ParameterizedTest
  @EnumSource(Sequencing.class)
  void topologyNamesItsNodesStoresAndInternalTopics(Sequencing sequencing) {
    String description =
        RouterTopology.build(
                RouterConfig.fromMap(
                    Map.of(
                        "bootstrap.servers",
                        "unused:9092",
                        "sequencing",
                        sequencing.configValue())),
                RouterMetrics.inMemory())
            .describe()
            .toString();

    assertThat(description)
        .contains(
            "raw-source",
            "parse",
            "parse-invalid",
            "parse-ok",
            "resolve-tenant",
            "tenant-unresolved",
            "tenant-resolved",
            "dead-letter",
            "dlq-sink",
            "key-by-tenant",
            "ingest-key-by-tenant",
            "assign-sequence",
            "events-sink",
            "dedupe",
            "dedupe-tokens",
            "document-tenants",
            "tenant-sequences")
        .doesNotContain("KSTREAM-", "KTABLE-");
    if (sequencing == Sequencing.BY_TENANT) {
      assertThat(description).contains("by-tenant-repartition", "ingest-by-tenant-repartition");
    }
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static String header(Headers headers, String key) {
    Header header = headers.lastHeader(key);
    return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
  }

  private static String docKey(String oid) {
    return "{\"_id\": {\"$oid\": \"" + oid + "\"}}";
  }
}
