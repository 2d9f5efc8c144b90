package io.changecast.connector.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.changecast.connector.source.ChangecastSourceConfigTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ValidateCommandTest {

  static final Path CONFIGS = Path.of("..", "connect-configs");
  static final Path APP_SOURCE = CONFIGS.resolve("app-source.json");
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  static Stream<Path> everyShippedConfig() throws IOException {
    try (Stream<Path> files = Files.walk(CONFIGS)) {
      return files.filter(f -> f.toString().endsWith(".json")).sorted().toList().stream();
    }
  }

  @ParameterizedTest
  @MethodSource("everyShippedConfig")
  void everyShippedConfigIsValid(Path file) {
    CliRun run = CliRun.run("validate", file.toString());

    assertThat(run.out()).doesNotContain(": ERROR ");
    assertThat(run.exitCode()).as(run.out()).isZero();
    assertThat(run.out()).contains(file + ": OK (").contains("1 file(s) checked, 0 error(s)");
  }

  @Test
  void shippedConfigsAreFound() throws IOException {
    assertThat(everyShippedConfig())
        .contains(
            APP_SOURCE,
            CONFIGS.resolve("tenant-databases-source.json"),
            CONFIGS.resolve("deployment-source.json"),
            CONFIGS.resolve("events-archive-sink.json"),
            CONFIGS.resolve("type-topics-sink.json"),
            CONFIGS.resolve("shop-source-tenant-header.json"),
            CONFIGS.resolve("examples/elasticsearch-sink.json"),
            CONFIGS.resolve("examples/redis-sink.json"));
  }

  @Test
  void shippedConfigNamesAreUnique() throws IOException {
    List<String> names = new ArrayList<>();
    for (Path file : everyShippedConfig().toList()) {
      names.add(JSON.readTree(Files.readString(file)).path("name").asText());
    }
    assertThat(names).doesNotHaveDuplicates();
  }

  /** Examples for other systems' sinks: structure only, but they must read routed topics. */
  @ParameterizedTest
  @MethodSource("examples")
  void examplesReadRoutedTopicsAsJsonText(Path file) throws IOException {
    JsonNode config = JSON.readTree(Files.readString(file)).path("config");

    assertThat(config.path("connector.class").asText()).isNotBlank();
    assertThat(config.path("topics").asText().split(","))
        .allSatisfy(
            topic ->
                assertThat(topic.trim()).matches("changecast\\.events|changecast\\.type\\..+"));
    assertThat(config.path("key.converter").asText())
        .isEqualTo("org.apache.kafka.connect.storage.StringConverter");
    assertThat(config.path("errors.tolerance").asText()).isEqualTo("none");
  }

  static Stream<Path> examples() throws IOException {
    return everyShippedConfig().filter(f -> f.getParent().endsWith("examples"));
  }

  @Test
  void validatesSeveralFilesAndFailsIfAnyIsInvalid() throws IOException {
    Path broken = source("broken.json", Map.of("errors.tolerance", "all"));

    CliRun run = CliRun.run("validate", APP_SOURCE.toString(), broken.toString());

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.outLines())
        .containsExactly(
            APP_SOURCE + ": OK (changecast-source-app)",
            broken
                + ": ERROR errors.tolerance: found \"all\", expected \"none\" (with \"all\" the"
                + " connector skips what it cannot read, a lost resume token included, and no"
                + " subscriber hears of it)",
            "2 file(s) checked, 1 error(s)");
  }

  @Test
  void valueFormatMustBeJson() throws IOException {
    assertSingleError(
        source("f.json", Map.of("output.format.value", "schema")),
        "ERROR output.format.value: found \"schema\", expected \"json\" (the router parses each"
            + " raw record's value as a JSON change event)");
  }

  @Test
  void keyFormatMustBeJson() throws IOException {
    assertSingleError(
        source("f.json", Map.of("output.format.key", "bson")),
        "ERROR output.format.key: found \"bson\", expected \"json\" (with a string converter a"
            + " schema key would be written as a Struct's toString())");
  }

  @Test
  void convertersMustBeSetToStringConverter() throws IOException {
    ObjectNode root = appSource();
    ((ObjectNode) root.get("config")).remove("key.converter");
    ((ObjectNode) root.get("config"))
        .put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
    Path file = write("converters.json", root);

    CliRun run = CliRun.run("validate", file.toString());

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.outLines())
        .containsExactly(
            file
                + ": ERROR key.converter: found nothing (not set), expected"
                + " \"org.apache.kafka.connect.storage.StringConverter\" (set it on the connector,"
                + " or the worker's default converter applies)",
            file
                + ": ERROR value.converter: found \"org.apache.kafka.connect.json.JsonConverter\","
                + " expected \"org.apache.kafka.connect.storage.StringConverter\" (the connector"
                + " already writes JSON text; the router reads it as is)",
            "1 file(s) checked, 2 error(s)");
  }

  @Test
  void documentKeyMustBeTheRecordKey() throws IOException {
    assertSingleError(
        source("f.json", Map.of("change.stream.document.key.as.key", "false")),
        "ERROR change.stream.document.key.as.key: found \"false\", expected \"true\" (keys each"
            + " event by its documentKey, so the router can trace deletes to their tenant)");
  }

  @Test
  void mongoErrorsToleranceOverrideMustBeNone() throws IOException {
    assertSingleError(
        source("f.json", Map.of("mongo.errors.tolerance", "all")),
        "ERROR mongo.errors.tolerance: found \"all\", expected \"none\" (it overrides"
            + " errors.tolerance for the MongoDB source; with \"all\" a lost resume token is"
            + " skipped and no subscriber hears of it)");
  }

  /**
   * The official connector with tombstones set, and the Changecast connector (which defaults them):
   * valid, with the warning.
   */
  static Stream<Map<String, String>> fullDocumentOnlyConfigs() {
    return Stream.of(
        Map.of(
            "publish.full.document.only", "true",
            "publish.full.document.only.tombstone.on.delete", "true"),
        Map.of(
            "connector.class", "io.changecast.connector.source.ChangecastSourceConnector",
            "publish.full.document.only", "true"));
  }

  @ParameterizedTest
  @MethodSource("fullDocumentOnlyConfigs")
  void fullDocumentOnlyIsAWarningNamingWhatIsLostAndTheRouterKey(Map<String, String> overrides)
      throws IOException {
    Path file = source("full.json", overrides);

    CliRun run = CliRun.run("validate", file.toString());

    assertThat(run.exitCode()).as(run.out()).isZero();
    assertThat(run.outLines())
        .containsExactly(
            file + ": WARNING " + ChangecastSourceConfigTest.FULL_DOCUMENT_ONLY_WARNING,
            file + ": OK (changecast-source-app)",
            "1 file(s) checked, 0 error(s)");
  }

  @Test
  void fullDocumentOnlyNeedsTombstonesForDeletes() throws IOException {
    Path file = source("f.json", Map.of("publish.full.document.only", "true"));

    CliRun run = CliRun.run("validate", file.toString());

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.outLines())
        .containsExactly(
            file + ": WARNING " + ChangecastSourceConfigTest.FULL_DOCUMENT_ONLY_WARNING,
            file
                + ": ERROR publish.full.document.only.tombstone.on.delete: found nothing (not"
                + " set), expected \"true\" with publish.full.document.only=true (without a"
                + " tombstone a delete sends nothing, so no subscriber ever hears of it)",
            "1 file(s) checked, 1 error(s)");
  }

  @Test
  void topicPrefixMustMatchTheRoutersRawPattern() throws IOException {
    assertSingleError(
        source("f.json", Map.of("topic.prefix", "cdc")),
        "ERROR topic.prefix: found \"cdc\", expected a prefix whose topics match the router's"
            + " raw.topic.pattern changecast\\.raw\\..*, e.g. \"changecast.raw\" (raw topics would"
            + " be named cdc.<db>.<collection>)");
  }

  @Test
  void topicSeparatorMustKeepTopicsInThePattern() throws IOException {
    assertSingleError(
        source("f.json", Map.of("topic.separator", "-")),
        "ERROR topic.separator: found \"-\", expected a separator whose topics match the router's"
            + " raw.topic.pattern changecast\\.raw\\..* (raw topics would be named"
            + " changecast.raw-<db>-<collection>)");
  }

  @Test
  void namespaceMapTopicsMustMatchTheRawPattern() throws IOException {
    assertSingleError(
        source(
            "f.json",
            Map.of(
                "topic.namespace.map",
                "{\"app.orders\": \"orders\", \"app.users\": \"changecast.raw.users\"}")),
        "ERROR topic.namespace.map: found \"app.orders -> orders\", expected topics matching the"
            + " router's raw.topic.pattern changecast\\.raw\\..* (the router would never read"
            + " namespace app.orders)");
  }

  @Test
  void heartbeatsMustNotLandOnRawTopics() throws IOException {
    assertSingleError(
        source("f.json", Map.of("heartbeat.topic.name", "changecast.raw.heartbeats")),
        "ERROR heartbeat.topic.name: found \"changecast.raw.heartbeats\", expected a topic outside"
            + " the router's raw.topic.pattern changecast\\.raw\\..* (heartbeats are not change"
            + " events; the router would dead-letter every one)");
  }

  @Test
  void rawTopicsMustHaveOnePartition() throws IOException {
    assertSingleError(
        source("f.json", Map.of("topic.creation.default.partitions", "6")),
        "ERROR topic.creation.default.partitions: found \"6\", expected \"1\", the router's"
            + " raw.partitions (one partition keeps a change stream's total order, so each"
            + " tenant's events reach the router in write order; unset, the broker's"
            + " num.partitions applies)");
  }

  private static final Map<String, String> KEY_BY_DATABASE =
      Map.of(
          "topic.creation.default.partitions", "3",
          "transforms", "tenant",
          "transforms.tenant.type", "io.changecast.connector.transforms.TenantHeader$Value",
          "transforms.tenant.field", "ns.db",
          "transforms.tenant.key", "true");

  @Test
  void tenantPartitionedRawTopicsAgreeWithTheRoutersRawPartitions() throws IOException {
    Path keyed = source("keyed.json", KEY_BY_DATABASE);

    CliRun ok = CliRun.run("validate", "--raw-partitions", "3", keyed.toString());
    assertThat(ok.exitCode()).isZero();
    assertThat(ok.out()).doesNotContain("ERROR");

    CliRun other = CliRun.run("validate", "--raw-partitions", "4", keyed.toString());
    assertThat(other.exitCode()).isEqualTo(1);
    assertThat(other.outLines())
        .containsExactly(
            keyed
                + ": ERROR topic.creation.default.partitions: found \"3\", expected \"4\", the"
                + " router's raw.partitions (partition p of every raw topic must hold the same"
                + " tenants; unset, the broker's num.partitions applies)",
            "1 file(s) checked, 1 error(s)");

    CliRun bad = CliRun.run("validate", "--raw-partitions", "zero", keyed.toString());
    assertThat(bad.exitCode()).isEqualTo(2);
    assertThat(bad.err())
        .contains("--raw-partitions: found \"zero\", expected a whole number >= 1");
  }

  @Test
  void namespaceWideEventsNeedChangecastsSourceConnectorOnPartitionedRawTopics()
      throws IOException {
    Map<String, String> byPrefix = new java.util.HashMap<>(KEY_BY_DATABASE);
    byPrefix.put("transforms.tenant.field", "ns.coll");
    byPrefix.put("transforms.tenant.prefix.separator", "_");
    Path official = source("official.json", byPrefix);
    byPrefix.put("connector.class", "io.changecast.connector.source.ChangecastSourceConnector");
    Path unset = source("unset.json", byPrefix);
    byPrefix.put("changecast.raw.partitions", "3");
    Path changecast = source("changecast.json", byPrefix);

    CliRun bare = CliRun.run("validate", "--raw-partitions", "3", official.toString());
    CliRun notSet = CliRun.run("validate", "--raw-partitions", "3", unset.toString());
    CliRun ok = CliRun.run("validate", "--raw-partitions", "3", changecast.toString());
    CliRun more = CliRun.run("validate", "--raw-partitions", "2", changecast.toString());

    assertThat(bare.exitCode()).isEqualTo(1);
    assertThat(bare.outLines())
        .containsExactly(official + ": ERROR " + OFFICIAL_UNSAFE, "1 file(s) checked, 1 error(s)");
    assertThat(notSet.outLines())
        .containsExactly(
            unset
                + ": ERROR changecast.raw.partitions: found nothing (not set), expected \"3\", the"
                + " topic.creation.default.partitions it creates raw topics with (the task writes"
                + " each namespace-wide event (drop, rename, dropDatabase, invalidate, history"
                + " lost) once to each partition 0..N-1 of its raw topic, so that every router"
                + " task resets its own tenants: N must be the raw topics' partition count)",
            "1 file(s) checked, 1 error(s)");
    assertThat(ok.exitCode()).isZero();
    assertThat(ok.out()).doesNotContain("ERROR");
    assertThat(more.outLines())
        .containsExactly(
            changecast
                + ": ERROR topic.creation.default.partitions: found \"3\", expected \"2\", the"
                + " router's raw.partitions (partition p of every raw topic must hold the same"
                + " tenants; unset, the broker's num.partitions applies)",
            changecast
                + ": ERROR changecast.raw.partitions: found \"3\", expected \"2\", the router's"
                + " raw.partitions (the connector writes each namespace-wide event (drop, rename,"
                + " dropDatabase, invalidate, history lost) once to each of its 3 partitions, so"
                + " that every router task resets its own tenants; with the router's 2 tasks, it"
                + " would write to partitions the raw topics do not have)",
            "1 file(s) checked, 2 error(s)");
  }

  /** The error for the official connector on raw topics with 3 partitions, not keyed by db. */
  static final String OFFICIAL_UNSAFE =
      "connector.class: found \"com.mongodb.kafka.connect.MongoSourceConnector\", expected"
          + " io.changecast.connector.source.ChangecastSourceConnector with"
          + " changecast.raw.partitions=3 (the official connector writes a namespace-wide event (a"
          + " drop or rename under field:, a dropDatabase or invalidate under collection-prefix)"
          + " once, unkeyed by any tenant, to one of the 3 partitions, so the tenants of the other"
          + " router tasks would get no reset; Changecast's source connector writes it to every"
          + " partition. Only keys by database (field=ns.db) name the tenant of every event)";

  @Test
  void unkeyedRecordsOnPartitionedRawTopicsAreAnError() throws IOException {
    Path unkeyed = source("unkeyed.json", Map.of("topic.creation.default.partitions", "3"));

    CliRun run = CliRun.run("validate", "--raw-partitions", "3", unkeyed.toString());

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.outLines())
        .containsExactly(
            unkeyed
                + ": ERROR transforms: found nothing (not set), expected a"
                + " io.changecast.connector.transforms.TenantHeader$Value transform with key=true"
                + " (field=ns.db for database, field=ns.coll with prefix.separator for"
                + " collection-prefix) (with 3 partitions each tenant's records must be keyed by"
                + " the tenant; the router dead-letters records outside their tenant's"
                + " partition)",
            "1 file(s) checked, 1 error(s)");
  }

  @Test
  void aDocumentFieldTenantKeysEveryRecordOnlyWithRequiredPreImages() throws IOException {
    Map<String, String> byField = new java.util.HashMap<>(KEY_BY_DATABASE);
    byField.put("transforms.tenant.field", "fullDocument.tenantId");
    Path noPreImage = source("no-pre-image.json", byField);
    byField.put(
        "transforms.tenant.field", "fullDocument.tenantId,fullDocumentBeforeChange.tenantId");
    Path preImagesOff = source("pre-images-off.json", byField);
    byField.put("change.stream.full.document.before.change", "required");
    Path required = source("required.json", byField);

    assertThat(CliRun.run("validate", "--raw-partitions", "3", noPreImage.toString()).outLines())
        .containsExactly(
            noPreImage
                + ": ERROR transforms.tenant.field: found \"fullDocument.tenantId\", expected"
                + " fullDocument.<path>,fullDocumentBeforeChange.<path> (a delete names its tenant"
                + " only in its pre-image; without pre-images a field: tenant cannot key every"
                + " record, so keep topic.creation.default.partitions=1 and the router's"
                + " raw.partitions=1)",
            "1 file(s) checked, 1 error(s)");
    assertThat(CliRun.run("validate", "--raw-partitions", "3", preImagesOff.toString()).outLines())
        .containsExactly(
            preImagesOff
                + ": ERROR change.stream.full.document.before.change: found nothing (not set), expected"
                + " \"required\" (a delete names its tenant only in its pre-image; without"
                + " pre-images a field: tenant cannot key every record, so keep"
                + " topic.creation.default.partitions=1 and the router's raw.partitions=1)",
            "1 file(s) checked, 1 error(s)");
    assertThat(CliRun.run("validate", "--raw-partitions", "3", required.toString()).outLines())
        .as("keyed, but the official connector's drops name no tenant")
        .containsExactly(required + ": ERROR " + OFFICIAL_UNSAFE, "1 file(s) checked, 1 error(s)");
    byField.put("connector.class", "io.changecast.connector.source.ChangecastSourceConnector");
    byField.put("changecast.raw.partitions", "3");
    Path changecast = source("changecast.json", byField);
    assertThat(CliRun.run("validate", "--raw-partitions", "3", changecast.toString()).exitCode())
        .isZero();
  }

  @Test
  void officialValidationErrorsAreReportedOnceWithTheOfficialMessage() throws IOException {
    Path file = source("f.json", Map.of("output.format.value", "xml"));

    CliRun run = CliRun.run("validate", file.toString());

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.outLines()).hasSize(2);
    assertThat(run.outLines().get(0))
        .startsWith(
            file
                + ": ERROR output.format.value: found \"xml\", expected a value"
                + " MongoSourceConnector accepts (MongoSourceConnector: ")
        .contains("xml");
  }

  @Test
  void officialCrossFieldValidationRunsWithoutMongoDb() throws IOException {
    Path file = source("f.json", Map.of("pipeline", "[{\"$match\": "));

    CliRun run = CliRun.run("validate", file.toString());

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.outLines().get(0))
        .startsWith(
            file
                + ": ERROR pipeline: found \"[{\"$match\": \", expected a value MongoSourceConnector"
                + " accepts (MongoSourceConnector: ");
  }

  @Test
  void customRawTopicPatternIsHonoured() throws IOException {
    CliRun run = CliRun.run("validate", "--raw-topic-pattern", "cdc\\..+", APP_SOURCE.toString());

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.out())
        .contains(
            APP_SOURCE
                + ": ERROR topic.prefix: found \"changecast.raw\", expected a prefix whose topics"
                + " match the router's raw.topic.pattern cdc\\..+");
  }

  @Test
  void warningsDoNotFailValidation() throws IOException {
    ObjectNode root = appSource();
    ((ObjectNode) root.get("config")).remove("change.stream.full.document");
    Path file = write("warn.json", root);

    CliRun run = CliRun.run("validate", file.toString());

    assertThat(run.exitCode()).isZero();
    assertThat(run.outLines())
        .containsExactly(
            file
                + ": WARNING change.stream.full.document: found nothing (not set), expected"
                + " \"updateLookup\" (or \"whenAvailable\", \"required\") (without it update"
                + " events carry no document, so envelopes of updates have none and their tenant"
                + " cannot be read from the document)",
            file + ": OK (changecast-source-app)",
            "1 file(s) checked, 0 error(s)");
  }

  @Test
  void changecastConnectorConfigsGetTheConnectorsOwnMessages() throws IOException {
    Map<String, String> overrides =
        Map.of(
            "connector.class", "io.changecast.connector.source.ChangecastSourceConnector",
            "change.stream.document.key.as.key", "false");
    Path file = source("cc.json", overrides);
    Map<String, String> config = new java.util.HashMap<>();
    appSource()
        .get("config")
        .properties()
        .forEach(e -> config.put(e.getKey(), e.getValue().asText()));
    config.putAll(overrides);
    List<String> connectorErrors =
        io.changecast.connector.source.ChangecastSourceConfig.validateOffline(config)
            .configValues()
            .stream()
            .flatMap(v -> v.errorMessages().stream())
            .toList();

    assertThat(connectorErrors)
        .containsExactly(
            "change.stream.document.key.as.key: found \"false\", expected \"true\" (keys each"
                + " event by its documentKey, so the router can trace deletes to their tenant)");
    assertSingleError(file, "ERROR " + connectorErrors.get(0));
  }

  @Test
  void changecastConnectorDefaultsApplyWhereTheOfficialOnesWouldWarn() throws IOException {
    ObjectNode root = appSource();
    ObjectNode config = (ObjectNode) root.get("config");
    config.remove("heartbeat.interval.ms");
    Path official = write("official.json", root);
    config.put("connector.class", "io.changecast.connector.source.ChangecastSourceConnector");
    Path changecast = write("changecast.json", root);

    CliRun run = CliRun.run("validate", official.toString(), changecast.toString());

    assertThat(run.exitCode()).isZero();
    assertThat(run.outLines())
        .containsExactly(
            official
                + ": WARNING heartbeat.interval.ms: found nothing (not set), expected a number of"
                + " milliseconds greater than 0, e.g. \"10000\" (heartbeats keep the resume token"
                + " of a quiet namespace fresh, so it does not fall out of the oplog)",
            official + ": OK (changecast-source-app)",
            changecast + ": OK (changecast-source-app)",
            "2 file(s) checked, 0 error(s)");
  }

  @Test
  void tenantHeaderTransformIsValidatedWithItsConfigDef() throws IOException {
    Path file =
        source(
            "smt.json",
            Map.of(
                "transforms", "tenant",
                "transforms.tenant.type", "io.changecast.connector.transforms.TenantHeader$Value",
                "transforms.tenant.field", "fullDocument..tenantId"));

    assertSingleError(
        file,
        "ERROR transforms.tenant.field: found \"fullDocument..tenantId\", expected a value"
            + " TenantHeader accepts (Invalid value [fullDocument..tenantId] for configuration"
            + " field: each path must be a field name or a dotted path like a.b)");
  }

  @Test
  void missingConnectorClassIsAnError() throws IOException {
    Path file = Files.writeString(dir.resolve("noclass.json"), "{\"name\": \"x\", \"config\": {}}");

    CliRun run = CliRun.run("validate", file.toString());

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.outLines())
        .containsExactly(
            file
                + ": ERROR connector.class: found nothing (not set), expected a connector class"
                + " name (Connect needs it)",
            "1 file(s) checked, 1 error(s)");
  }

  @Test
  void malformedFileIsAnErrorNamingTheFile() throws IOException {
    Path file = Files.writeString(dir.resolve("noname.json"), "{\"config\": {}}");

    CliRun run = CliRun.run("validate", file.toString(), APP_SOURCE.toString());

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.outLines())
        .containsExactly(
            file + ": \"name\" must be a non-empty string",
            APP_SOURCE + ": OK (changecast-source-app)",
            "2 file(s) checked, 1 error(s)");
  }

  @Test
  void missingFileIsAUsageError() {
    CliRun run = CliRun.run("validate", dir.resolve("nope.json").toString());

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains(dir.resolve("nope.json") + ": no such file");
  }

  @Test
  void sinkReadingRawTopicsWithoutCdcHandlerIsAnError() throws IOException {
    Path file =
        write(
            "sink.json",
            sink(
                Map.of(
                    "topics", "changecast.raw.app.orders",
                    "key.converter", "org.apache.kafka.connect.storage.StringConverter",
                    "value.converter", "org.apache.kafka.connect.storage.StringConverter")));

    CliRun run = CliRun.run("validate", file.toString());

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.outLines())
        .containsExactly(
            file
                + ": ERROR topics: found \"changecast.raw.app.orders\", expected routed topics"
                + " (\"changecast.events\" or \"changecast.type.<type>\") (raw topics hold change"
                + " events, not documents; copy them only with change.data.capture.handler)",
            "1 file(s) checked, 1 error(s)");
  }

  @Test
  void sinkNeedsConvertersAndADeadLetterTopicWhenToleratingErrors() throws IOException {
    Path file =
        write(
            "sink.json",
            sink(
                Map.of(
                    "topics", "changecast.type.orders.created",
                    "errors.tolerance", "all")));

    CliRun run = CliRun.run("validate", file.toString());

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.outLines())
        .containsExactly(
            file
                + ": ERROR key.converter: found nothing (not set), expected"
                + " \"org.apache.kafka.connect.storage.StringConverter\" (routed records are JSON"
                + " text keyed by tenant; unset, the worker's default converter applies)",
            file
                + ": ERROR value.converter: found nothing (not set), expected"
                + " \"org.apache.kafka.connect.storage.StringConverter\" (routed records are JSON"
                + " text keyed by tenant; unset, the worker's default converter applies)",
            file
                + ": ERROR errors.deadletterqueue.topic.name: found nothing (not set), expected a"
                + " dead letter topic when errors.tolerance is \"all\" (otherwise records the sink"
                + " cannot write are dropped without a trace)",
            "1 file(s) checked, 3 error(s)");
  }

  @Test
  void unknownConnectorClassIsCheckedForStructureOnly() throws IOException {
    Path file =
        Files.writeString(
            dir.resolve("other.json"),
            "{\"name\": \"es\", \"config\": {\"connector.class\": \"com.example.Sink\"}}");

    CliRun run = CliRun.run("validate", file.toString());

    assertThat(run.exitCode()).isZero();
    assertThat(run.outLines().get(0))
        .isEqualTo(
            file
                + ": WARNING connector.class: found \"com.example.Sink\", expected"
                + " com.mongodb.kafka.connect.MongoSourceConnector or"
                + " com.mongodb.kafka.connect.MongoSinkConnector for a full offline validation"
                + " (other connectors are checked for structure only)");
  }

  @Test
  void noArgumentsOrUnknownCommandIsAUsageError() {
    assertThat(CliRun.run().exitCode()).isEqualTo(2);
    CliRun unknown = CliRun.run("frobnicate");
    assertThat(unknown.exitCode()).isEqualTo(2);
    assertThat(unknown.err()).startsWith("changecast-connect: unknown command frobnicate");
    CliRun unknownOption = CliRun.run("validate", "--nope", APP_SOURCE.toString());
    assertThat(unknownOption.exitCode()).isEqualTo(2);
    assertThat(unknownOption.err()).startsWith("changecast-connect: unknown option --nope");
    assertThat(CliRun.run("--help").exitCode()).isZero();
  }

  @Test
  void aTypoInAKeyIsAnErrorWithTheKeyItMeant() throws IOException {
    Path file = renamed("typo.json", "topic.prefix", "topic.prefx");

    CliRun run = CliRun.run("validate", file.toString());

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.outLines())
        .first()
        .isEqualTo(
            file
                + ": ERROR topic.prefx: found \"changecast.raw\", expected a key"
                + " MongoSourceConnector or Kafka Connect reads, did you mean topic.prefix?"
                + " (unknown key: the worker ignores it, so this setting has no effect)");
  }

  @Test
  void aMisspelledFullDocumentKeyIsNamedNotOnlyTheMissingOne() throws IOException {
    Path file =
        renamed("documnet.json", "change.stream.full.document", "change.stream.full.documnet");

    CliRun run = CliRun.run("validate", file.toString());

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.out())
        .contains(
            file
                + ": ERROR change.stream.full.documnet: found \"updateLookup\", expected a key"
                + " MongoSourceConnector or Kafka Connect reads, did you mean"
                + " change.stream.full.document?");
  }

  @Test
  void anUnknownKeyFarFromAnyKnownOneIsAnErrorWithoutASuggestion() throws IOException {
    assertSingleError(
        source("far.json", Map.of("shard.everything", "yes")),
        "ERROR shard.everything: found \"yes\", expected a key MongoSourceConnector or Kafka"
            + " Connect reads (unknown key: the worker ignores it, so this setting has no effect)");
  }

  /** Keys of Connect itself, of its prefixes and of Changecast's SMT are known. */
  @Test
  void connectKeysPrefixesAndPluginKeysAreKnown() throws IOException {
    Path file =
        source(
            "connect-keys.json",
            Map.of(
                "errors.log.enable", "true",
                "errors.retry.timeout", "0",
                "topic.creation.groups", "big",
                "topic.creation.big.include", "changecast\\.raw\\.big\\..*",
                "topic.creation.big.partitions", "1",
                "topic.creation.default.cleanup.policy", "delete",
                "producer.override.compression.type", "zstd",
                "value.converter.schemas.enable", "false",
                "exactly.once.support", "requested"));

    CliRun run = CliRun.run("validate", file.toString());

    assertThat(run.exitCode()).as(run.out()).isZero();
    assertThat(run.out()).doesNotContain("unknown key");
  }

  @Test
  void aTypoInsideATransformIsCheckedAgainstTheTransformsOwnKeys() throws IOException {
    Path file =
        source(
            "smt.json",
            Map.of(
                "transforms", "tenant,ts",
                "transforms.tenant.type", "io.changecast.connector.transforms.TenantHeader$Value",
                "transforms.tenant.feild", "fullDocument.tenantId",
                "transforms.ts.type", "org.apache.kafka.connect.transforms.InsertHeader",
                "transforms.ts.header", "source",
                "transforms.ts.value.literal", "mongo",
                "transforms.other.type", "org.apache.kafka.connect.transforms.InsertHeader"));

    CliRun run = CliRun.run("validate", file.toString());

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.out())
        .contains("ERROR transforms.tenant.feild: found \"fullDocument.tenantId\"")
        .contains("did you mean transforms.tenant.field?")
        .contains("ERROR transforms.other.type: found")
        .doesNotContain("transforms.ts.");
  }

  @Test
  void aSinkKnowsItsTopicOverridesAndConnectsSinkKeys() throws IOException {
    ObjectNode root =
        sink(
            Map.of(
                "topics", "changecast.events",
                "key.converter", "org.apache.kafka.connect.storage.StringConverter",
                "value.converter", "org.apache.kafka.connect.storage.StringConverter",
                "errors.deadletterqueue.context.headers.enable", "true",
                "topic.override.changecast.events.collection", "events",
                "max.num.retries", "3"));
    Path file = write("sink.json", root);

    CliRun run = CliRun.run("validate", file.toString());

    assertThat(run.out())
        .contains(
            "ERROR max.num.retries: found \"3\", expected a key MongoSinkConnector or Kafka"
                + " Connect reads")
        .doesNotContain("topic.override")
        .doesNotContain("errors.deadletterqueue.context.headers.enable");
  }

  @Test
  void aMissingConnectionUriIsAnError() throws IOException {
    ObjectNode root = appSource();
    ((ObjectNode) root.get("config")).remove("connection.uri");
    Path file = write("no-uri.json", root);

    assertSingleError(
        file,
        "ERROR connection.uri: found nothing (not set), expected the MongoDB to connect to, e.g."
            + " \"mongodb://mongo:27017/?replicaSet=rs0\" (unset, the connector silently falls"
            + " back to mongodb://localhost:27017)");
  }

  @Test
  void aBareConfigObjectIsValidatedLikeTheRestBody() throws IOException {
    Path file = write("bare-app.json", (ObjectNode) appSource().get("config"));

    CliRun run = CliRun.run("validate", file.toString());

    assertThat(run.exitCode()).as(run.out()).isZero();
    assertThat(run.outLines())
        .containsExactly(file + ": OK (bare-app)", "1 file(s) checked, 0 error(s)");
  }

  private void assertSingleError(Path file, String expected) {
    CliRun run = CliRun.run("validate", file.toString());

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.outLines())
        .containsExactly(file + ": " + expected, "1 file(s) checked, 1 error(s)");
  }

  private Path source(String name, Map<String, String> overrides) throws IOException {
    ObjectNode root = appSource();
    overrides.forEach(((ObjectNode) root.get("config"))::put);
    return write(name, root);
  }

  /** The shipped source with key {@code from} renamed to {@code to} (its value kept). */
  private Path renamed(String name, String from, String to) throws IOException {
    ObjectNode root = appSource();
    ObjectNode config = (ObjectNode) root.get("config");
    config.set(to, config.remove(from));
    return write(name, root);
  }

  private ObjectNode sink(Map<String, String> config) {
    ObjectNode root = JSON.createObjectNode().put("name", "sink");
    ObjectNode c = root.putObject("config");
    c.put("connector.class", "com.mongodb.kafka.connect.MongoSinkConnector");
    c.put("connection.uri", "mongodb://replica:27017");
    c.put("database", "copy");
    config.forEach(c::put);
    return root;
  }

  static ObjectNode appSource() throws IOException {
    return (ObjectNode) JSON.readTree(Files.readString(APP_SOURCE));
  }

  private Path write(String name, ObjectNode root) throws IOException {
    return Files.writeString(dir.resolve(name), JSON.writeValueAsString(root));
  }
}
