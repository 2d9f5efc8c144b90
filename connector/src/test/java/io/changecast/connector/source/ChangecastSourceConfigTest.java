package io.changecast.connector.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.changecast.connector.config.ConfigProblem;
import io.changecast.connector.source.internal.Namespace;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigValue;
import org.junit.jupiter.api.Test;

/** Offline validation: Changecast's defaults and the exact messages of its checks. */
public class ChangecastSourceConfigTest {

  private static Map<String, String> minimal() {
    Map<String, String> config = new HashMap<>();
    config.put("connection.uri", "mongodb://mongo1:27017,mongo2:27018/?replicaSet=rs0");
    config.put("database", "app");
    config.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
    config.put("value.converter", "org.apache.kafka.connect.storage.StringConverter");
    return config;
  }

  private static Map<String, List<String>> errors(Map<String, String> config) {
    Config result = ChangecastSourceConfig.validateOffline(config);
    Map<String, List<String>> errors = new HashMap<>();
    for (ConfigValue value : result.configValues()) {
      if (!value.errorMessages().isEmpty()) {
        errors.put(value.name(), value.errorMessages());
      }
    }
    return errors;
  }

  private static Map<String, List<String>> errorsWith(String key, String value) {
    Map<String, String> config = minimal();
    if (value == null) {
      config.remove(key);
    } else {
      config.put(key, value);
    }
    return errors(config);
  }

  @Test
  void minimalConfigIsValidWithChangecastDefaults() {
    assertThat(errors(minimal())).isEmpty();

    Map<String, String> effective = ChangecastSourceConfig.withDefaults(minimal());
    assertThat(effective)
        .containsEntry("topic.prefix", "changecast.raw")
        .containsEntry("output.format.key", "json")
        .containsEntry("output.format.value", "json")
        .containsEntry(
            "output.json.formatter", "com.mongodb.kafka.connect.source.json.formatter.DefaultJson")
        .containsEntry("change.stream.full.document", "updateLookup")
        .containsEntry("change.stream.document.key.as.key", "true")
        .containsEntry("publish.full.document.only", "false")
        .containsEntry("publish.full.document.only.tombstone.on.delete", "true")
        .containsEntry("heartbeat.interval.ms", "10000")
        .containsEntry("errors.tolerance", "none");
  }

  @Test
  void userValuesWinOverDefaults() {
    Map<String, String> config = minimal();
    config.put("change.stream.full.document", "whenAvailable");
    config.put("topic.prefix", "cc.raw");

    assertThat(ChangecastSourceConfig.withDefaults(config))
        .containsEntry("change.stream.full.document", "whenAvailable")
        .containsEntry("topic.prefix", "cc.raw");
    assertThat(errors(config)).isEmpty();
  }

  @Test
  void convertersMustBeStringConverter() {
    assertThat(errorsWith("key.converter", null))
        .containsExactly(
            Map.entry(
                "key.converter",
                List.of(
                    "key.converter: found nothing (not set), expected"
                        + " \"org.apache.kafka.connect.storage.StringConverter\" (set it on the"
                        + " connector, or the worker's default converter applies)")));
    assertThat(errorsWith("value.converter", "org.apache.kafka.connect.json.JsonConverter"))
        .containsExactly(
            Map.entry(
                "value.converter",
                List.of(
                    "value.converter: found \"org.apache.kafka.connect.json.JsonConverter\","
                        + " expected \"org.apache.kafka.connect.storage.StringConverter\" (the"
                        + " connector already writes JSON text; the router reads it as is)")));
  }

  @Test
  void outputMustBeDefaultJsonText() {
    assertThat(errorsWith("output.format.value", "schema"))
        .containsExactly(
            Map.entry(
                "output.format.value",
                List.of(
                    "output.format.value: found \"schema\", expected \"json\" (the router"
                        + " parses each raw record's value as a JSON change event)")));
    assertThat(
            errorsWith(
                "output.json.formatter",
                "com.mongodb.kafka.connect.source.json.formatter.SimplifiedJson"))
        .containsExactly(
            Map.entry(
                "output.json.formatter",
                List.of(
                    "output.json.formatter: found"
                        + " \"com.mongodb.kafka.connect.source.json.formatter.SimplifiedJson\","
                        + " expected"
                        + " \"com.mongodb.kafka.connect.source.json.formatter.DefaultJson\" (the"
                        + " router reads DefaultJson's Extended JSON ($date, $oid, $timestamp))")));
  }

  @Test
  void updatesNeedAPostImage() {
    assertThat(errorsWith("change.stream.full.document", "default"))
        .containsExactly(
            Map.entry(
                "change.stream.full.document",
                List.of(
                    "change.stream.full.document: found \"default\", expected"
                        + " \"updateLookup\" (or \"whenAvailable\", \"required\") (without it"
                        + " update events carry no document, so envelopes of updates have none"
                        + " and their tenant cannot be read from the document)")));
  }

  public static final String FULL_DOCUMENT_ONLY_WARNING =
      "publish.full.document.only: found \"true\", expected \"false\" for whole change events;"
          + " \"true\" works with less information (the router's"
          + " input.format.full-document.pattern must match these topics, e.g."
          + " changecast\\.raw\\.(?<db>[^.]+)\\.(?<coll>.+), or it dead-letters every record;"
          + " then every document becomes a <collection>.replaced event (operation replace:"
          + " inserts, updates and replaces cannot be told apart) and every tombstone a"
          + " <collection>.deleted event, no event has changes (updatedFields, removedFields,"
          + " truncatedArrays) or clusterTime, and records the connector sends again after a"
          + " restart are not deduplicated)";

  @Test
  void fullDocumentOnlyIsValidWithAWarningNamingWhatIsLost() {
    Map<String, String> config = minimal();
    config.put("publish.full.document.only", "true");

    assertThat(errors(config)).isEmpty();
    assertThat(ChangecastSourceConfig.withDefaults(config))
        .containsEntry("publish.full.document.only.tombstone.on.delete", "true");
    assertThat(ChangecastSourceConfig.warnings(config))
        .extracting(ConfigProblem::message)
        .containsExactly(FULL_DOCUMENT_ONLY_WARNING);
    assertThat(ChangecastSourceConfig.warnings(minimal())).isEmpty();
  }

  @Test
  void fullDocumentOnlyPatternFollowsPrefixAndSeparator() {
    assertThat(ChangecastSourceChecks.fullDocumentPattern("cdc", "_"))
        .isEqualTo("cdc_(?<db>[^_]+)_(?<coll>.+)");
    assertThat(ChangecastSourceChecks.fullDocumentPattern("a.b", "--"))
        .isEqualTo("a\\.b\\-\\-(?<db>(?:(?!\\-\\-).)+)\\-\\-(?<coll>.+)");
    assertThat("changecast.raw.app.orders.archive")
        .matches(ChangecastSourceChecks.fullDocumentPattern("changecast.raw", "."));
    Matcher m =
        Pattern.compile(ChangecastSourceChecks.fullDocumentPattern("a.b", "--"))
            .matcher("a.b--shop--orders--x");
    assertThat(m.matches()).isTrue();
    assertThat(m.group("db")).isEqualTo("shop");
    assertThat(m.group("coll")).isEqualTo("orders--x");
  }

  @Test
  void fullDocumentOnlyWithoutTombstonesWouldDropDeletes() {
    Map<String, String> config = minimal();
    config.put("publish.full.document.only", "true");
    config.put("publish.full.document.only.tombstone.on.delete", "false");

    assertThat(errors(config))
        .containsExactly(
            Map.entry(
                "publish.full.document.only.tombstone.on.delete",
                List.of(
                    "publish.full.document.only.tombstone.on.delete: found \"false\", expected"
                        + " \"true\" with publish.full.document.only=true (without a tombstone a"
                        + " delete sends nothing, so no subscriber ever hears of it)")));
  }

  @Test
  void namespaceOfAFullDocumentTopicComesFromItsName() {
    Map<String, String> onDatabase = minimal();
    onDatabase.put("topic.separator", "_");
    ChangecastSourceConfig db = new ChangecastSourceConfig(onDatabase);
    assertThat(db.namespaceOfTopic("changecast.raw_app_orders_2024"))
        .isEqualTo(new Namespace("app", "orders_2024"));
    assertThat(db.namespaceOfTopic("__mongodb_heartbeats")).isEqualTo(new Namespace("app", null));

    Map<String, String> deployment = minimal();
    deployment.remove("database");
    ChangecastSourceConfig all = new ChangecastSourceConfig(deployment);
    assertThat(all.namespaceOfTopic("changecast.raw.shop.carts.v2"))
        .isEqualTo(new Namespace("shop", "carts.v2"));
    assertThat(all.namespaceOfTopic("changecast.raw.shop")).isEqualTo(new Namespace(null, null));
  }

  @Test
  void heartbeatsMustBeOn() {
    assertThat(errorsWith("heartbeat.interval.ms", "0"))
        .containsExactly(
            Map.entry(
                "heartbeat.interval.ms",
                List.of(
                    "heartbeat.interval.ms: found \"0\", expected a number of milliseconds"
                        + " greater than 0, e.g. \"10000\" (heartbeats keep the resume token of a"
                        + " quiet namespace fresh, so it does not fall out of the oplog)")));
  }

  @Test
  void errorToleranceMustNotSkipALostResumeToken() {
    assertThat(errorsWith("errors.tolerance", "all"))
        .containsExactly(
            Map.entry(
                "errors.tolerance",
                List.of(
                    "errors.tolerance: found \"all\", expected \"none\" (with \"all\" the"
                        + " connector skips what it cannot read, a lost resume token included, and"
                        + " no subscriber hears of it)")));

    Map<String, String> frameworkOnly = minimal();
    frameworkOnly.put("errors.tolerance", "all");
    frameworkOnly.put("mongo.errors.tolerance", "none");
    assertThat(errors(frameworkOnly)).isEmpty();

    assertThat(errorsWith("mongo.errors.tolerance", "all"))
        .containsExactly(
            Map.entry(
                "mongo.errors.tolerance",
                List.of(
                    "mongo.errors.tolerance: found \"all\", expected \"none\" (it overrides"
                        + " errors.tolerance for the MongoDB source; with \"all\" a lost resume"
                        + " token is skipped and no subscriber hears of it)")));
  }

  @Test
  void rawTopicsMustFollowTheDefaultMapping() {
    assertThat(errorsWith("topic.prefix", ""))
        .containsExactly(
            Map.entry(
                "topic.prefix",
                List.of(
                    "topic.prefix: found \"\", expected a topic prefix, e.g."
                        + " \"changecast.raw\" (the router subscribes to the raw topics by their"
                        + " prefix)")));
    assertThat(errorsWith("topic.namespace.map", "{\"app\": \"elsewhere\"}"))
        .containsExactly(
            Map.entry(
                "topic.namespace.map",
                List.of(
                    "topic.namespace.map: found \"{\"app\": \"elsewhere\"}\", expected"
                        + " nothing (the connector writes control records to the raw topics of the"
                        + " default topic mapping)")));
  }

  @Test
  void historyLostPolicyIsValidatedLikeKafkaConfigs() {
    assertThat(errorsWith("changecast.history.lost.policy", "skip"))
        .containsExactly(
            Map.entry(
                "changecast.history.lost.policy",
                List.of(
                    "Invalid value skip for configuration changecast.history.lost.policy: must be"
                        + " one of [fail, restart-from-now, copy-existing], found: 'skip'")));
    assertThat(errorsWith("changecast.history.lost.policy", "Copy-Existing")).isEmpty();

    Map<String, String> config = minimal();
    config.put("changecast.history.lost.policy", "skip");
    assertThatThrownBy(() -> new ChangecastSourceConfig(config))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "Invalid value skip for configuration changecast.history.lost.policy: must be one of"
                + " [fail, restart-from-now, copy-existing], found: 'skip'");
  }

  @Test
  void rawPartitionsIsAWholeNumberAndTheRawTopicsPartitionCount() {
    assertThat(errorsWith("changecast.raw.partitions", "0"))
        .containsExactly(
            Map.entry(
                "changecast.raw.partitions",
                List.of(
                    "Invalid value 0 for configuration changecast.raw.partitions: Value must be at"
                        + " least 1")));
    Map<String, String> config = minimal();
    config.put("changecast.raw.partitions", "three");
    assertThatThrownBy(() -> new ChangecastSourceConfig(config))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "Invalid value three for configuration changecast.raw.partitions: expected a whole"
                + " number from 1 to 10000");
    config.put("changecast.raw.partitions", "3");
    assertThat(new ChangecastSourceConfig(config).rawPartitions()).isEqualTo(3);
    assertThat(new ChangecastSourceConfig(minimal()).rawPartitions()).isEqualTo(1);

    config.put("topic.creation.default.partitions", "6");
    assertThat(errors(config))
        .containsExactly(
            Map.entry(
                "changecast.raw.partitions",
                List.of(
                    "changecast.raw.partitions: found \"3\", expected \"6\", the"
                        + " topic.creation.default.partitions it creates raw topics with (the task"
                        + " writes each namespace-wide event (drop, rename, dropDatabase,"
                        + " invalidate, history lost) once to each partition 0..N-1 of its raw"
                        + " topic, so that every router task resets its own tenants: N must be the"
                        + " raw topics' partition count)")));
    config.put("topic.creation.default.partitions", "3");
    assertThat(errors(config)).isEmpty();
  }

  @Test
  void everyErrorIsReportedAtOnce() {
    Map<String, String> config = minimal();
    config.put("output.format.value", "bson");
    config.put("errors.tolerance", "all");
    config.remove("key.converter");

    assertThat(errors(config))
        .containsOnlyKeys("output.format.value", "errors.tolerance", "key.converter");
  }

  @Test
  void policyParsesItsValues() {
    assertThat(HistoryLostPolicy.parse("fail")).isEqualTo(HistoryLostPolicy.FAIL);
    assertThat(HistoryLostPolicy.parse(" RESTART-FROM-NOW "))
        .isEqualTo(HistoryLostPolicy.RESTART_FROM_NOW);
    assertThat(HistoryLostPolicy.parse("copy-existing")).isEqualTo(HistoryLostPolicy.COPY_EXISTING);
    assertThatThrownBy(() -> HistoryLostPolicy.parse(null))
        .hasMessage("must be one of [fail, restart-from-now, copy-existing], found: null");
  }

  @Test
  void derivesClusterNameTopicAndPartitionFromTheWatchedNamespace() {
    Map<String, String> collection = minimal();
    collection.put("collection", "orders");
    ChangecastSourceConfig onCollection = new ChangecastSourceConfig(collection);
    assertThat(onCollection.clusterName()).isEqualTo("mongo1:27017,mongo2:27018");
    assertThat(onCollection.rawTopic()).isEqualTo("changecast.raw.app.orders");
    assertThat(onCollection.sourcePartition())
        .isEqualTo(Map.of("ns", "mongodb://mongo1:27017,mongo2:27018/app.orders"));
    assertThat(onCollection.historyLostPolicy()).isEqualTo(HistoryLostPolicy.RESTART_FROM_NOW);

    ChangecastSourceConfig onDatabase = new ChangecastSourceConfig(minimal());
    assertThat(onDatabase.rawTopic()).isEqualTo("changecast.raw.app");

    Map<String, String> deployment = minimal();
    deployment.remove("database");
    deployment.put("changecast.cluster.name", "eu-main");
    deployment.put("offset.partition.name", "main");
    ChangecastSourceConfig onDeployment = new ChangecastSourceConfig(deployment);
    assertThat(onDeployment.rawTopic()).isEqualTo("changecast.raw.__deployment");
    assertThat(onDeployment.clusterName()).isEqualTo("eu-main");
    assertThat(onDeployment.sourcePartition()).isEqualTo(Map.of("ns", "main"));
    assertThat(onDeployment.delegateProps()).doesNotContainKey("changecast.cluster.name");
  }
}
