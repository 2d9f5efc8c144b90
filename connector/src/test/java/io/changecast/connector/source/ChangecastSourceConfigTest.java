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
                    "Changecast's router reads the connector's JSON text as strings: key.converter"
                        + " must be org.apache.kafka.connect.storage.StringConverter (converters are"
                        + " read by the worker, the connector cannot default them), found: not"
                        + " set")));
    assertThat(errorsWith("value.converter", "org.apache.kafka.connect.json.JsonConverter"))
        .containsExactly(
            Map.entry(
                "value.converter",
                List.of(
                    "Changecast's router reads the connector's JSON text as strings:"
                        + " value.converter must be"
                        + " org.apache.kafka.connect.storage.StringConverter (converters are read"
                        + " by the worker, the connector cannot default them), found:"
                        + " 'org.apache.kafka.connect.json.JsonConverter'")));
  }

  @Test
  void outputMustBeDefaultJsonText() {
    assertThat(errorsWith("output.format.value", "schema"))
        .containsExactly(
            Map.entry(
                "output.format.value",
                List.of(
                    "Changecast parses change events as JSON text: output.format.value must be"
                        + " json, found: 'schema'")));
    assertThat(
            errorsWith(
                "output.json.formatter",
                "com.mongodb.kafka.connect.source.json.formatter.SimplifiedJson"))
        .containsExactly(
            Map.entry(
                "output.json.formatter",
                List.of(
                    "Changecast parses change events in the DefaultJson format:"
                        + " output.json.formatter must be"
                        + " com.mongodb.kafka.connect.source.json.formatter.DefaultJson, found:"
                        + " 'com.mongodb.kafka.connect.source.json.formatter.SimplifiedJson'")));
  }

  @Test
  void updatesNeedAPostImage() {
    assertThat(errorsWith("change.stream.full.document", "default"))
        .containsExactly(
            Map.entry(
                "change.stream.full.document",
                List.of(
                    "Changecast resolves the tenant of an update from its post-image:"
                        + " change.stream.full.document must be one of [updateLookup,"
                        + " whenAvailable, required], found: 'default'")));
  }

  @Test
  void wholeChangeEventsAreNeeded() {
    assertThat(errorsWith("publish.full.document.only", "true"))
        .containsExactly(
            Map.entry(
                "publish.full.document.only",
                List.of(
                    "Changecast routes whole change events (operation, namespace, document key):"
                        + " publish.full.document.only must be false, found: 'true'")));
  }

  @Test
  void heartbeatsMustBeOn() {
    assertThat(errorsWith("heartbeat.interval.ms", "0"))
        .containsExactly(
            Map.entry(
                "heartbeat.interval.ms",
                List.of(
                    "Changecast keeps the resume token of a quiet namespace fresh with heartbeats:"
                        + " heartbeat.interval.ms must be a number of milliseconds greater than 0,"
                        + " found: '0'")));
  }

  @Test
  void errorToleranceMustNotSkipALostResumeToken() {
    assertThat(errorsWith("errors.tolerance", "all"))
        .containsExactly(
            Map.entry(
                "errors.tolerance",
                List.of(
                    "Changecast announces a lost resume token instead of skipping past it:"
                        + " errors.tolerance must be none (or set mongo.errors.tolerance=none for"
                        + " the MongoDB connector), found: 'all'")));

    Map<String, String> frameworkOnly = minimal();
    frameworkOnly.put("errors.tolerance", "all");
    frameworkOnly.put("mongo.errors.tolerance", "none");
    assertThat(errors(frameworkOnly)).isEmpty();

    assertThat(errorsWith("mongo.errors.tolerance", "all"))
        .containsExactly(
            Map.entry(
                "mongo.errors.tolerance",
                List.of(
                    "Changecast announces a lost resume token instead of skipping past it:"
                        + " mongo.errors.tolerance must be none, found: 'all'")));
  }

  @Test
  void rawTopicsMustFollowTheDefaultMapping() {
    assertThat(errorsWith("topic.prefix", ""))
        .containsExactly(
            Map.entry(
                "topic.prefix",
                List.of(
                    "Changecast's router subscribes to the raw topics by their prefix:"
                        + " topic.prefix must not be empty, found: ''")));
    assertThat(errorsWith("topic.namespace.map", "{\"app\": \"elsewhere\"}"))
        .containsExactly(
            Map.entry(
                "topic.namespace.map",
                List.of(
                    "Changecast writes control records to the raw topics of the default topic"
                        + " mapping: topic.namespace.map must be empty, found: '{\"app\":"
                        + " \"elsewhere\"}'")));
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
