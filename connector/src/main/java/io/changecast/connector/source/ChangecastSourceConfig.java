package io.changecast.connector.source;

import com.mongodb.ConnectionString;
import com.mongodb.kafka.connect.source.MongoSourceConfig;
import io.changecast.connector.config.ConfigProblem;
import io.changecast.connector.config.internal.ConfigValues;
import io.changecast.connector.config.internal.RawTopicNames;
import io.changecast.connector.source.internal.Namespace;
import io.changecast.contract.HeaderNames;
import io.changecast.contract.RawPartitions;
import io.changecast.contract.RawTopics;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigValue;

/**
 * The Changecast source connector's configuration: the official MongoDB source connector's options,
 * Changecast's defaults for them, Changecast's own options ({@value #HISTORY_LOST_POLICY_CONFIG},
 * {@value #CLUSTER_NAME_CONFIG}) and the checks of every option Changecast depends on.
 *
 * <p>{@link #validateOffline(Map)} runs all checks without connecting to MongoDB (for tools and
 * CI); {@link ChangecastSourceConnector#validate(Map)} adds the official connector's online checks.
 */
public final class ChangecastSourceConfig {

  /** What to do after announcing a lost change-stream history; see {@link HistoryLostPolicy}. */
  public static final String HISTORY_LOST_POLICY_CONFIG = "changecast.history.lost.policy";

  private static final String HISTORY_LOST_POLICY_DOC =
      "What the task does after the resume token it needs is no longer in the oplog"
          + " (ChangeStreamHistoryLost, 286). It first writes one history-lost control record to"
          + " the raw topic of the watched namespace, then: 'fail' fails the task;"
          + " 'restart-from-now' forgets the stored resume token and streams from the current"
          + " time; 'copy-existing' forgets it, copies the existing documents, then streams.";

  /** The name of the source MongoDB deployment, sent in {@value HeaderNames#SOURCE_CLUSTER}. */
  public static final String CLUSTER_NAME_CONFIG = "changecast.cluster.name";

  private static final String CLUSTER_NAME_DOC =
      "Name of the source MongoDB deployment, sent in the changecast.source.cluster header of every"
          + " record. Empty: the hosts of connection.uri, e.g. 'mongo1:27017,mongo2:27017'.";

  /**
   * N, the partitions of every raw topic ({@link RawPartitions#CONNECTOR_CONFIG_KEY}): above 1 the
   * task writes each namespace-wide event and each history-lost control record once to every
   * partition.
   */
  public static final String RAW_PARTITIONS_CONFIG = RawPartitions.CONNECTOR_CONFIG_KEY;

  private static final String RAW_PARTITIONS_DOC =
      "Partitions of every raw topic: the router's raw.partitions. Above 1 (raw records keyed by"
          + " tenant with the TenantHeader transform, key=true), each namespace-wide change event"
          + " (drop, rename, dropDatabase, invalidate) and each history-lost control record is"
          + " written once to every partition 0..N-1, so that every router task resets its own"
          + " tenants. topic.creation.default.partitions, when set, must be the same.";

  /** The only converter that hands the connector's JSON text to Kafka unchanged. */
  public static final String STRING_CONVERTER = "org.apache.kafka.connect.storage.StringConverter";

  static final String DEFAULT_TOPIC_PREFIX = RawTopics.DEFAULT_PREFIX;
  static final String DEFAULT_HEARTBEAT_INTERVAL_MS = "10000";

  private static final String GROUP = "Changecast";

  /** Changecast's own options (the official connector's are in {@link #configDef()}). */
  public static final ConfigDef CONFIG_DEF =
      new ConfigDef()
          .define(
              HISTORY_LOST_POLICY_CONFIG,
              ConfigDef.Type.STRING,
              HistoryLostPolicy.RESTART_FROM_NOW.value(),
              new PolicyValidator(),
              ConfigDef.Importance.HIGH,
              HISTORY_LOST_POLICY_DOC,
              GROUP,
              1,
              ConfigDef.Width.MEDIUM,
              "History-lost policy",
              new PolicyRecommender())
          .define(
              CLUSTER_NAME_CONFIG,
              ConfigDef.Type.STRING,
              "",
              ConfigDef.Importance.MEDIUM,
              CLUSTER_NAME_DOC,
              GROUP,
              2,
              ConfigDef.Width.MEDIUM,
              "Source cluster name")
          .define(
              RAW_PARTITIONS_CONFIG,
              ConfigDef.Type.INT,
              RawPartitions.DEFAULT,
              ConfigDef.Range.between(1, RawPartitions.MAX),
              ConfigDef.Importance.MEDIUM,
              RAW_PARTITIONS_DOC,
              GROUP,
              3,
              ConfigDef.Width.SHORT,
              "Raw topic partitions");

  /**
   * The defaults Changecast applies to the official connector's options the user did not set, in
   * the order they are documented.
   */
  public static final Map<String, String> DEFAULTS = defaults();

  private final Map<String, String> props;
  private final HistoryLostPolicy historyLostPolicy;
  private final String clusterName;
  private final Namespace watched;
  private final int rawPartitions;

  /**
   * Parses {@code props} after applying {@link #DEFAULTS}.
   *
   * @throws ConfigException when a Changecast option is invalid
   */
  public ChangecastSourceConfig(Map<String, String> props) {
    this.props = Collections.unmodifiableMap(withDefaults(props));
    String policy = this.props.get(HISTORY_LOST_POLICY_CONFIG);
    try {
      this.historyLostPolicy =
          HistoryLostPolicy.parse(
              policy == null ? HistoryLostPolicy.RESTART_FROM_NOW.value() : policy);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(HISTORY_LOST_POLICY_CONFIG, policy, e.getMessage());
    }
    String name = this.props.getOrDefault(CLUSTER_NAME_CONFIG, "").trim();
    this.clusterName = name.isEmpty() ? defaultClusterName(this.props) : name;
    this.rawPartitions = parseRawPartitions(this.props.get(RAW_PARTITIONS_CONFIG));
    this.watched =
        Namespace.of(
            this.props.getOrDefault(MongoSourceConfig.DATABASE_CONFIG, ""),
            this.props.getOrDefault(MongoSourceConfig.COLLECTION_CONFIG, ""));
  }

  /** Every option: the official connector's and Changecast's. */
  public static ConfigDef configDef() {
    ConfigDef def = new ConfigDef(MongoSourceConfig.CONFIG);
    CONFIG_DEF.configKeys().values().forEach(def::define);
    return def;
  }

  /** {@code props} with each of {@link #DEFAULTS} the user did not set. */
  public static Map<String, String> withDefaults(Map<String, String> props) {
    Map<String, String> result = new LinkedHashMap<>(props);
    DEFAULTS.forEach(result::putIfAbsent);
    return result;
  }

  /**
   * Offline validation: the official connector's {@code ConfigDef} checks, Changecast's options and
   * Changecast's checks, on {@code props} with {@link #DEFAULTS} applied. Does not connect.
   */
  public static Config validateOffline(Map<String, String> props) {
    Map<String, String> effective = withDefaults(props);
    List<ConfigValue> values = new ArrayList<>(MongoSourceConfig.CONFIG.validate(effective));
    return check(effective, values);
  }

  /**
   * Adds Changecast's options and checks to {@code values} (the official connector's validation of
   * {@code effective}, the props with {@link #DEFAULTS} applied). The checks are {@link
   * ChangecastSourceChecks}' errors for {@link ChangecastSourceChecks.Target#CHANGECAST}, the same
   * rules the CLI applies; each message names the option, the value found, the value expected and
   * why Changecast needs it. A {@code ConfigValue} has no warnings, so the policy's warnings are
   * not here: {@link #warnings(Map)} has them, and the connector logs them at start.
   */
  public static Config check(Map<String, String> effective, List<ConfigValue> values) {
    Map<String, ConfigValue> byName = new LinkedHashMap<>();
    for (ConfigValue value : values) {
      byName.put(value.name(), value);
    }
    for (ConfigValue own : CONFIG_DEF.validate(effective)) {
      byName.put(own.name(), own);
    }
    for (ConfigProblem problem :
        ChangecastSourceChecks.check(effective, ChangecastSourceChecks.Target.CHANGECAST)) {
      if (problem.isError()) {
        byName
            .computeIfAbsent(
                problem.key(),
                name -> new ConfigValue(name, effective.get(name), List.of(), new ArrayList<>()))
            .addErrorMessage(problem.message());
      }
    }
    return new Config(new ArrayList<>(byName.values()));
  }

  /**
   * What the config works with, but degraded ({@link ChangecastSourceChecks}' warnings for {@code
   * props} with {@link #DEFAULTS} applied), e.g. {@code publish.full.document.only=true}. Valid in
   * {@link #check}; the connector logs each at WARN when it starts.
   */
  public static List<ConfigProblem> warnings(Map<String, String> props) {
    return ChangecastSourceChecks.check(
            withDefaults(props), ChangecastSourceChecks.Target.CHANGECAST)
        .stream()
        .filter(problem -> !problem.isError())
        .toList();
  }

  /** The effective props: as given, plus {@link #DEFAULTS}. */
  public Map<String, String> props() {
    return props;
  }

  /** The props for the official connector's task: without Changecast's own options. */
  public Map<String, String> delegateProps() {
    Map<String, String> result = new HashMap<>(props);
    result.keySet().removeIf(key -> key.startsWith("changecast."));
    return result;
  }

  /**
   * {@value #RAW_PARTITIONS_CONFIG}: the partitions each namespace-wide event is written to, one
   * copy each ({@link RawPartitions#DEFAULT} when unset).
   */
  public int rawPartitions() {
    return rawPartitions;
  }

  /**
   * {@value #RAW_PARTITIONS_CONFIG} of {@code props} (without defaults applied).
   *
   * @throws ConfigException when it is not a whole number from 1 to {@link RawPartitions#MAX}
   */
  public static int parseRawPartitions(String value) {
    if (value == null || value.isBlank()) {
      return RawPartitions.DEFAULT;
    }
    try {
      int partitions = Integer.parseInt(value.trim());
      if (partitions >= 1 && partitions <= RawPartitions.MAX) {
        return partitions;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new ConfigException(
        RAW_PARTITIONS_CONFIG, value, "expected a whole number from 1 to " + RawPartitions.MAX);
  }

  public HistoryLostPolicy historyLostPolicy() {
    return historyLostPolicy;
  }

  /** {@value #CLUSTER_NAME_CONFIG}, or the hosts of {@code connection.uri} when it is empty. */
  public String clusterName() {
    return clusterName;
  }

  /** The namespace the change stream watches (empty db: the whole deployment). */
  Namespace watched() {
    return watched;
  }

  /**
   * {@code publish.full.document.only=true}: record values are bare documents, without {@code ns}.
   */
  boolean fullDocumentOnly() {
    return ConfigValues.isTrue(props.get(MongoSourceConfig.PUBLISH_FULL_DOCUMENT_ONLY_CONFIG));
  }

  /**
   * The namespace a raw topic of the default topic mapping names ({@code <prefix><sep><db><sep>
   * <coll>}), or the watched namespace for another topic (e.g. heartbeats). With a watched database
   * the rest after it is the collection; for a deployment watch the database ends at the first
   * separator (database names hold no {@code .}, the default separator).
   */
  Namespace namespaceOfTopic(String topic) {
    String prefix = props.getOrDefault(MongoSourceConfig.TOPIC_PREFIX_CONFIG, "");
    String separator = props.getOrDefault(MongoSourceConfig.TOPIC_SEPARATOR_CONFIG, ".");
    String head = RawTopicNames.head(prefix, separator);
    if (topic == null || separator.isEmpty() || !topic.startsWith(head)) {
      return watched;
    }
    String rest = topic.substring(head.length());
    if (watched.db() != null) {
      String dbHead = watched.db() + separator;
      return rest.startsWith(dbHead) && rest.length() > dbHead.length()
          ? new Namespace(watched.db(), rest.substring(dbHead.length()))
          : watched;
    }
    int end = rest.indexOf(separator);
    return end > 0 && end + separator.length() < rest.length()
        ? new Namespace(rest.substring(0, end), rest.substring(end + separator.length()))
        : watched;
  }

  /**
   * The raw topic of the watched namespace: {@code <prefix>.<db>.<coll>}, {@code <prefix>.<db>} or
   * {@code <prefix>.__deployment}, with the configured {@code topic.separator}.
   */
  public String rawTopic() {
    String prefix = props.getOrDefault(MongoSourceConfig.TOPIC_PREFIX_CONFIG, "");
    String separator = props.getOrDefault(MongoSourceConfig.TOPIC_SEPARATOR_CONFIG, ".");
    StringBuilder topic = new StringBuilder(prefix);
    if (watched.db() == null) {
      topic.append(separator).append("__deployment");
    } else {
      topic.append(separator).append(watched.db());
      if (watched.coll() != null) {
        topic.append(separator).append(watched.coll());
      }
    }
    return topic.toString();
  }

  /**
   * The source partition the official connector stores its resume token under: {@code {ns:
   * <offset.partition.name>}} or, when that is empty, {@code {ns:
   * mongodb://<hosts>/<db>[.<coll>]}}.
   */
  public Map<String, Object> sourcePartition() {
    String name = props.getOrDefault(MongoSourceConfig.OFFSET_PARTITION_NAME_CONFIG, "");
    if (name.isEmpty()) {
      ConnectionString uri =
          new ConnectionString(props.get(MongoSourceConfig.CONNECTION_URI_CONFIG));
      StringBuilder builder =
          new StringBuilder(uri.isSrvProtocol() ? "mongodb+srv://" : "mongodb://");
      builder.append(String.join(",", uri.getHosts())).append('/');
      builder.append(props.getOrDefault(MongoSourceConfig.DATABASE_CONFIG, ""));
      String collection = props.getOrDefault(MongoSourceConfig.COLLECTION_CONFIG, "");
      if (!collection.isEmpty()) {
        builder.append('.').append(collection);
      }
      name = builder.toString();
    }
    return Map.of("ns", name);
  }

  private static String defaultClusterName(Map<String, String> props) {
    String uri = props.get(MongoSourceConfig.CONNECTION_URI_CONFIG);
    if (uri == null || uri.isBlank()) {
      return "unknown";
    }
    try {
      return String.join(",", new ConnectionString(uri).getHosts());
    } catch (IllegalArgumentException e) {
      return "unknown";
    }
  }

  private static Map<String, String> defaults() {
    Map<String, String> d = new LinkedHashMap<>();
    d.put(MongoSourceConfig.TOPIC_PREFIX_CONFIG, DEFAULT_TOPIC_PREFIX);
    d.put(MongoSourceConfig.OUTPUT_FORMAT_KEY_CONFIG, "json");
    d.put(MongoSourceConfig.OUTPUT_FORMAT_VALUE_CONFIG, "json");
    d.put(MongoSourceConfig.OUTPUT_JSON_FORMATTER_CONFIG, ChangecastSourceChecks.DEFAULT_JSON);
    d.put(MongoSourceConfig.FULL_DOCUMENT_CONFIG, "updateLookup");
    d.put(MongoSourceConfig.DOCUMENT_KEY_AS_KEY_CONFIG, "true");
    d.put(MongoSourceConfig.PUBLISH_FULL_DOCUMENT_ONLY_CONFIG, "false");
    d.put(MongoSourceConfig.PUBLISH_FULL_DOCUMENT_ONLY_TOMBSTONE_ON_DELETE_CONFIG, "true");
    d.put(MongoSourceConfig.HEARTBEAT_INTERVAL_MS_CONFIG, DEFAULT_HEARTBEAT_INTERVAL_MS);
    d.put(MongoSourceConfig.ERRORS_TOLERANCE_CONFIG, "none");
    return Collections.unmodifiableMap(d);
  }

  private static final class PolicyValidator implements ConfigDef.Validator {
    @Override
    public void ensureValid(String name, Object value) {
      try {
        HistoryLostPolicy.parse(value == null ? null : value.toString());
      } catch (IllegalArgumentException e) {
        throw new ConfigException(name, value, e.getMessage());
      }
    }

    @Override
    public String toString() {
      return "[" + HistoryLostPolicy.joined(", ") + "]";
    }
  }

  private static final class PolicyRecommender implements ConfigDef.Recommender {
    @Override
    public List<Object> validValues(String name, Map<String, Object> parsedConfig) {
      return List.of((Object[]) HistoryLostPolicy.joined(",").split(","));
    }

    @Override
    public boolean visible(String name, Map<String, Object> parsedConfig) {
      return true;
    }
  }
}
