package io.changecast.router;

import static io.changecast.router.InputFormatTopologyTest.debezium;
import static io.changecast.router.TenantStrategyTopologyTest.event;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The published envelope schema ({@code docs/schema/envelope-v1.schema.json}) against what the
 * router really writes: every envelope of a run over all input kinds is valid, and hand-broken
 * envelopes are not.
 */
class EnvelopeSchemaTest {

  private static final Path SCHEMA_DIR = Path.of("..", "docs", "schema");
  private static final Path SCHEMA_FILE = SCHEMA_DIR.resolve("envelope-v1.schema.json");
  private static final String OID = "655f0c0000000000000000a1";
  private static final String DEBEZIUM_KEY =
      "{\"id\": \"{\\\"$oid\\\": \\\"655f0c0000000000000000a2\\\"}\"}";
  private static final String DEBEZIUM_DOC =
      "{\"_id\": {\"$oid\": \"655f0c0000000000000000a2\"}, \"tenantId\": \"globex\"}";

  private static final SchemaRegistry REGISTRY =
      SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);

  @TempDir static Path stateDir;

  private static String schemaText;
  private static Schema schema;

  /** The routed values, events topic first, then the type topics, in output order. */
  private static List<String> routed;

  private static List<JsonNode> events;

  @BeforeAll
  static void routeEveryKindOfInput() throws IOException {
    schemaText = Files.readString(SCHEMA_FILE, StandardCharsets.UTF_8);
    schema = REGISTRY.getSchema(schemaText, InputFormat.JSON);

    try (RouterDriver router = new RouterDriver(stateDir, Map.of("type.topics.enabled", "true"))) {
      TestInputTopic<String, String> orders = router.input("changecast.raw.app.orders");
      orders.pipeInput(RawEvents.key(OID), RawEvents.insert(OID, "acme", 5));
      orders.pipeInput(RawEvents.key(OID), RawEvents.update(OID, "acme", 7));
      orders.pipeInput(RawEvents.key(OID), RawEvents.updateWithoutPostImage(OID));
      orders.pipeInput(RawEvents.key(OID), RawEvents.replace(OID, "acme", 9));
      orders.pipeInput(RawEvents.key(OID), RawEvents.delete(OID));
      // a scalar _id, an update without updateDescription nor post-image, no wallTime
      orders.pipeInput(
          "k", event("insert", "app", "orders", 1, "{\"_id\": 1, \"tenantId\": \"a\"}"));
      orders.pipeInput("k", event("update", "app", "orders", 1, null));

      TestInputTopic<String, String> dbz = router.input("changecast.raw.dbz.app.orders");
      dbz.pipeInput(DEBEZIUM_KEY, debezium("c", DEBEZIUM_DOC, null, 1, false));
      dbz.pipeInput(DEBEZIUM_KEY, debezium("u", DEBEZIUM_DOC, null, 2, true));
      dbz.pipeInput(DEBEZIUM_KEY, debezium("d", null, null, 3, false));

      orders.pipeInput(
          control(
              """
              {"type": "history-lost", "namespaces": [{"db": "app", "coll": "orders"}],
               "clusterTime": {"$timestamp": {"t": 1700000100, "i": 3}}}"""));
      orders.pipeInput(
          control("{\"type\": \"history-lost\", \"namespaces\": [{\"db\": \"app\"}]}"));

      // namespace changes: resets naming one collection, a rename's two, a database
      orders.pipeInput(
          "k",
          NamespaceChangeTopologyTest.ddl(
              "rename",
              "{\"db\": \"app\", \"coll\": \"orders\"}",
              "{\"db\": \"app\", \"coll\": \"orders2\"}",
              1_700_000_200));
      router
          .input("changecast.raw.")
          .pipeInput("k", NamespaceChangeTopologyTest.ddl("invalidate", null, null, 1_700_000_200));
      router
          .input("changecast.raw.app")
          .pipeInput(
              "k", NamespaceChangeTopologyTest.ddl("dropDatabase", "{\"db\": \"app\"}", null, 1));

      TestInputTopic<String, String> ingest = router.input("changecast.ingest");
      ingest.pipeInput(
          "acme",
          """
          {"tenant": "acme", "type": "invoice.sent", "data": {"n": 7, "lines": [1, 2]},
           "receivedAt": 1700000000000}""");
      ingest.pipeInput("acme", "{\"tenant\": \"acme\", \"type\": \"ping\", \"data\": null}");
      ingest.pipeInput("a", "{\"tenant\": \"a\", \"type\": \"note\", \"data\": \"text\"}");

      assertThat(router.dlq.readRecordsToList())
          .extracting(r -> RouterDriver.header(r.headers(), "changecast.error.detail"))
          .as("dead-lettered")
          .isEmpty();
      List<String> values = router.events.readValuesToList();
      events = values.stream().map(RouterDriver::json).toList();
      routed = new ArrayList<>(values);
      Set<String> types = new LinkedHashSet<>();
      events.forEach(e -> types.add(e.get("type").asText()));
      for (String type : types) {
        List<String> typed = router.output("changecast.type." + type).readValuesToList();
        assertThat(typed).as("type topic of %s", type).isNotEmpty();
        routed.addAll(typed);
      }
    }
  }

  private static TestRecord<String, String> control(String value) {
    return new TestRecord<>(
        null,
        value,
        new RecordHeaders()
            .add("changecast.control", "history-lost".getBytes(StandardCharsets.UTF_8)));
  }

  private static List<Error> errors(String json) {
    return schema.validate(json, InputFormat.JSON);
  }

  @Test
  void theSchemaIsAValidDraft202012SchemaWithItsVersionedId() {
    Schema meta =
        REGISTRY.getSchema(SchemaLocation.of(SpecificationVersion.DRAFT_2020_12.getDialectId()));
    assertThat(meta.validate(schemaText, InputFormat.JSON)).isEmpty();
    JsonNode root = RouterDriver.json(schemaText);
    assertThat(root.get("$schema").asText())
        .isEqualTo("https://json-schema.org/draft/2020-12/schema");
    assertThat(root.get("$id").asText()).isEqualTo("https://changecast.io/schema/envelope/v1");
  }

  @Test
  void theRunCoversEveryEnvelopeShape() {
    assertThat(events)
        .extracting(e -> e.get("operation").asText())
        .contains("insert", "update", "replace", "delete", "reset", "publish");
    assertThat(events)
        .as("an update with and one without a post-image, one without changes")
        .anyMatch(e -> op(e, "update") && e.has("document") && e.has("changes"))
        .anyMatch(e -> op(e, "update") && !e.has("document") && e.has("changes"))
        .anyMatch(e -> op(e, "update") && !e.has("document") && !e.has("changes"));
    assertThat(events)
        .as("resets with and without a cluster time")
        .anyMatch(e -> op(e, "reset") && e.has("clusterTime"))
        .anyMatch(e -> op(e, "reset") && !e.has("clusterTime"));
    assertThat(events)
        .as("resets of each namespace change")
        .extracting(e -> e.path("reason").asText())
        .contains(
            "source-history-lost", "collection-renamed", "stream-invalidated", "database-dropped");
    assertThat(events)
        .as("published object, null and string data")
        .anyMatch(e -> op(e, "publish") && e.get("data").isObject())
        .anyMatch(e -> op(e, "publish") && e.get("data").isNull())
        .anyMatch(e -> op(e, "publish") && e.get("data").isTextual());
    assertThat(routed).as("events topic and type topics").hasSize(2 * events.size());
  }

  private static boolean op(JsonNode envelope, String operation) {
    return envelope.get("operation").asText().equals(operation);
  }

  @Test
  void everyRoutedEnvelopeIsValid() {
    assertThat(routed).isNotEmpty();
    for (String envelope : routed) {
      assertThat(errors(envelope)).as(envelope).isEmpty();
    }
  }

  @Test
  void theExamplesInTheSchemaReadmeAreValid() throws IOException {
    String readme = Files.readString(SCHEMA_DIR.resolve("README.md"), StandardCharsets.UTF_8);
    // the envelope examples; the "Snapshots" section's page is checked against snapshot-v1 by
    // ClientExamplesTest (module local)
    String examplesSection =
        readme.substring(readme.indexOf("\n## Examples\n"), readme.indexOf("\n## Snapshots\n"));
    Matcher block = Pattern.compile("```json\\n(.*?)```", Pattern.DOTALL).matcher(examplesSection);
    int examples = 0;
    while (block.find()) {
      assertThat(errors(block.group(1))).as(block.group(1)).isEmpty();
      examples++;
    }
    assertThat(examples).isGreaterThanOrEqualTo(3);
  }

  static Stream<Arguments> brokenEnvelopes() {
    return Stream.of(
        broken("id 0", "update", e -> e.put("id", "0"), "/id"),
        broken("id with a leading zero", "update", e -> e.put("id", "07"), "/id"),
        broken("id as a number", "update", e -> e.put("id", 7), "/id"),
        broken("no tenant", "update", e -> e.remove("tenant"), "'tenant'"),
        broken("blank tenant", "publish", e -> e.put("tenant", " "), "/tenant"),
        broken("no routedAt", "insert", e -> e.remove("routedAt"), "'routedAt'"),
        broken("an extra top-level field", "insert", e -> e.put("extra", 1), "'extra'"),
        broken("a null field", "delete", e -> e.putNull("document"), "/document"),
        broken("an unknown operation", "insert", e -> e.put("operation", "drop"), "/operation"),
        broken("insert without document", "insert", e -> e.remove("document"), "'document'"),
        broken("delete with document", "delete", e -> e.putObject("document"), "/document"),
        broken(
            "change without documentKey", "replace", e -> e.remove("documentKey"), "'documentKey'"),
        broken("change with data", "update", e -> e.put("data", 1), "/data"),
        broken(
            "changes missing a part",
            "update",
            e -> changes(e).remove("removedFields"),
            "'removedFields'"),
        broken(
            "clusterTime t as a string",
            "insert",
            e -> clusterTime(e).put("t", "1"),
            "/clusterTime/t"),
        broken("clusterTime with extra field", "insert", e -> clusterTime(e).put("x", 1), "'x'"),
        broken(
            "wallTime as ISO string",
            "insert",
            e -> e.put("wallTime", "2023-11-14T22:13:20Z"),
            "/wallTime"),
        broken("reset without namespaces", "reset", e -> e.remove("namespaces"), "'namespaces'"),
        broken(
            "reset with empty namespaces", "reset", e -> e.putArray("namespaces"), "/namespaces"),
        broken("reset of another type", "reset", e -> e.put("type", "orders.reset"), "/type"),
        broken(
            "reset with a document key",
            "reset",
            e -> e.putObject("documentKey").put("_id", 1),
            "/documentKey"),
        broken("publish without data", "publish", e -> e.remove("data"), "'data'"),
        broken("publish with a database", "publish", e -> e.put("database", "app"), "/database"));
  }

  private static Arguments broken(
      String name, String operation, Consumer<ObjectNode> breaker, String location) {
    return Arguments.of(name, operation, breaker, location);
  }

  private static ObjectNode changes(ObjectNode envelope) {
    return (ObjectNode) envelope.get("changes");
  }

  private static ObjectNode clusterTime(ObjectNode envelope) {
    return (ObjectNode) envelope.get("clusterTime");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("brokenEnvelopes")
  void aBrokenEnvelopeIsRejected(
      String name, String operation, Consumer<ObjectNode> breaker, String location) {
    ObjectNode envelope =
        events.stream()
            .filter(e -> op(e, operation) && (!operation.equals("update") || e.has("document")))
            .findFirst()
            .map(e -> (ObjectNode) e.deepCopy())
            .orElseThrow();
    assertThat(errors(envelope.toString())).as("the real envelope").isEmpty();

    breaker.accept(envelope);

    List<Error> errors = errors(envelope.toString());
    assertThat(errors).as(envelope.toString()).isNotEmpty();
    assertThat(errors)
        .as("errors name %s", location)
        .anyMatch(e -> (e.getInstanceLocation() + " " + e.getMessage()).contains(location));
  }
}
