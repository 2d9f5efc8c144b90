package io.changecast.connector.validate;

import io.changecast.connector.config.ConfigProblem;
import io.changecast.connector.config.ConnectorConfigFile;
import io.changecast.connector.source.ChangecastSourceChecks;
import io.changecast.connector.source.ChangecastSourceConfig;
import io.changecast.connector.transforms.TenantHeader;
import io.changecast.connector.validate.internal.KnownKeys;
import io.changecast.connector.validate.internal.OfficialValidation;
import io.changecast.connector.validate.internal.SinkChecks;
import io.changecast.connector.validate.internal.SourceChecks;
import io.changecast.connector.validate.internal.TenantKeyTransform;
import io.changecast.contract.RawPartitions;
import io.changecast.contract.RawTopics;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Offline validation of a connector config file: first the keys (a key that neither the connector's
 * {@code ConfigDef}s nor Kafka Connect reads is an error, with the nearest known key; see {@code
 * KnownKeys}) and a set {@code connection.uri}; then the official MongoDB connector's own {@code
 * ConfigDef} validation (without connecting to MongoDB), then Changecast's policy ({@link
 * ChangecastSourceChecks}, the rules the source connector's own {@code validate()} applies: JSON
 * output, string converters, document key as record key, no silent error tolerance, heartbeats),
 * then the checks against the router (raw topic names it subscribes to, one partition per raw
 * topic). {@code ChangecastSourceConnector} configs are judged with Changecast's defaults applied.
 */
public final class ChangecastConfigValidator {

  /** The official source connector class. */
  public static final String MONGO_SOURCE = "com.mongodb.kafka.connect.MongoSourceConnector";

  /** Changecast's source connector class: the official one plus Changecast's defaults. */
  public static final String CHANGECAST_SOURCE =
      "io.changecast.connector.source.ChangecastSourceConnector";

  /** The official sink connector class. */
  public static final String MONGO_SINK = "com.mongodb.kafka.connect.MongoSinkConnector";

  /** The router's default {@code raw.topic.pattern}. */
  public static final String DEFAULT_RAW_TOPIC_PATTERN = RawTopics.DEFAULT_PATTERN;

  private static final String CONNECTION_URI = "connection.uri";

  private final Pattern rawTopicPattern;
  private final int rawPartitions;

  /**
   * A validator for a router that subscribes to raw topics matching {@code rawTopicPattern}, with
   * one partition each.
   */
  public ChangecastConfigValidator(String rawTopicPattern) {
    this(rawTopicPattern, RawPartitions.DEFAULT);
  }

  /**
   * A validator for a router that subscribes to raw topics matching {@code rawTopicPattern}, with
   * {@code rawPartitions} partitions each (its {@code raw.partitions}).
   */
  public ChangecastConfigValidator(String rawTopicPattern, int rawPartitions) {
    this.rawTopicPattern = Pattern.compile(rawTopicPattern);
    this.rawPartitions = rawPartitions;
  }

  /** A validator for the router's default raw topic pattern. */
  public static ChangecastConfigValidator withDefaults() {
    return new ChangecastConfigValidator(DEFAULT_RAW_TOPIC_PATTERN);
  }

  /** Every problem of {@code file}; the file is valid when none is an error. */
  public List<ConfigProblem> validate(ConnectorConfigFile file) {
    Map<String, String> config = file.config();
    List<ConfigProblem> problems = new ArrayList<>();
    String connectorClass = config.get("connector.class");
    if (connectorClass == null || connectorClass.isBlank()) {
      problems.add(
          ConfigProblem.error(
              "connector.class", connectorClass, "a connector class name", "Connect needs it"));
      return problems;
    }
    String tasksMax = config.get("tasks.max");
    if (tasksMax != null && !isPositiveInt(tasksMax)) {
      problems.add(
          ConfigProblem.error("tasks.max", tasksMax, "a positive integer", "Connect's own config"));
    }
    switch (connectorClass) {
      case MONGO_SOURCE, CHANGECAST_SOURCE, MONGO_SINK -> {
        problems.addAll(knownKeys(connectorClass).unknown(config));
        problems.addAll(connectionUri(config));
      }
      default -> {}
    }
    switch (connectorClass) {
      case MONGO_SOURCE -> {
        List<ConfigProblem> official = OfficialValidation.source(config);
        problems.addAll(official);
        problems.addAll(
            new SourceChecks(rawTopicPattern, rawPartitions)
                .check(config, ChangecastSourceChecks.Target.OFFICIAL, flagged(official)));
      }
      case CHANGECAST_SOURCE -> {
        Map<String, String> effective = ChangecastSourceConfig.withDefaults(config);
        List<ConfigProblem> official = OfficialValidation.changecastSource(effective);
        problems.addAll(official);
        problems.addAll(
            new SourceChecks(rawTopicPattern, rawPartitions)
                .check(effective, ChangecastSourceChecks.Target.CHANGECAST, flagged(official)));
      }
      case MONGO_SINK -> {
        List<ConfigProblem> official = OfficialValidation.sink(config);
        problems.addAll(official);
        problems.addAll(new SinkChecks(rawTopicPattern).check(config, flagged(official)));
      }
      default ->
          problems.add(
              ConfigProblem.warning(
                  "connector.class",
                  connectorClass,
                  MONGO_SOURCE + " or " + MONGO_SINK + " for a full offline validation",
                  "other connectors are checked for structure only"));
    }
    problems.addAll(transforms(config));
    return List.copyOf(problems);
  }

  private static KnownKeys knownKeys(String connectorClass) {
    return switch (connectorClass) {
      case MONGO_SOURCE -> KnownKeys.officialSource();
      case CHANGECAST_SOURCE -> KnownKeys.changecastSource();
      default -> KnownKeys.officialSink();
    };
  }

  /**
   * {@code connection.uri} must be set: unset, the connector connects to {@code
   * mongodb://localhost:27017} and, on a worker without a local MongoDB, fails only at run time, or
   * worse, reads a MongoDB that happens to run there.
   */
  private static List<ConfigProblem> connectionUri(Map<String, String> config) {
    String uri = config.get(CONNECTION_URI);
    if (uri != null && !uri.isBlank()) {
      return List.of();
    }
    return List.of(
        ConfigProblem.error(
            CONNECTION_URI,
            uri,
            "the MongoDB to connect to, e.g. \"mongodb://mongo:27017/?replicaSet=rs0\"",
            "unset, the connector silently falls back to mongodb://localhost:27017"));
  }

  /**
   * Changecast's own SMTs in {@code transforms}: each alias's {@code transforms.<alias>.*} keys
   * validated with the SMT's {@code ConfigDef}, as the worker will.
   */
  private static List<ConfigProblem> transforms(Map<String, String> config) {
    List<ConfigProblem> problems = new ArrayList<>();
    for (TenantKeyTransform.Declared transform : TenantKeyTransform.declared(config)) {
      String prefix = "transforms." + transform.alias() + ".";
      Map<String, String> smt = transform.settings();
      for (org.apache.kafka.common.config.ConfigValue value :
          TenantHeader.CONFIG_DEF.validate(smt)) {
        if (!value.errorMessages().isEmpty()) {
          problems.add(
              ConfigProblem.error(
                  prefix + value.name(),
                  smt.get(value.name()),
                  "a value TenantHeader accepts",
                  String.join("; ", value.errorMessages())));
        }
      }
    }
    return problems;
  }

  private static Set<String> flagged(List<ConfigProblem> problems) {
    Set<String> keys = new HashSet<>();
    problems.forEach(p -> keys.add(p.key()));
    return keys;
  }

  private static boolean isPositiveInt(String value) {
    try {
      return Integer.parseInt(value.trim()) > 0;
    } catch (NumberFormatException e) {
      return false;
    }
  }
}
