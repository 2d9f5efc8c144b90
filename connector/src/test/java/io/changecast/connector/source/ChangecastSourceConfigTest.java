package io.changecast.connector.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigValue;
import org.junit.jupiter.api.Test;

/** Offline validation: Changecast's defaults and the exact messages of its checks. */
class ChangecastSourceConfigTest {

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

  @Test
  void wholeChangeEventsAreNeeded() {
    assertThat(errorsWith("publish.full.document.only", "true"))
        .containsExactly(
            Map.entry(
                "publish.full.document.only",
                List.of(
                    "publish.full.document.only: found \"true\", expected \"false\" (the"
                        + " router needs the whole change event: operationType, ns,"
                        + " documentKey)")));
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
