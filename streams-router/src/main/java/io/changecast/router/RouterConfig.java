package io.changecast.router;

import io.changecast.contract.RawPartitions;
import io.changecast.contract.RawTopics;
import io.changecast.router.internal.runtime.YamlConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The router's configuration. Build it with {@link #fromMap} (validating, defaults applied) or
 * {@link #load} (a properties or YAML file, then {@code CHANGECAST_ROUTER_*} environment
 * variables).
 *
 * <p>Keys: {@value #BOOTSTRAP_SERVERS} (required), {@value #APPLICATION_ID}, {@value #STATE_DIR},
 * {@value #RAW_TOPIC_PATTERN}, {@value #EVENTS_TOPIC}, {@value #DLQ_TOPIC}, {@value #TENANT_FIELD},
 * {@value #COMMIT_INTERVAL_MS}, {@value #COMMIT_LIVE_INTERVAL_MS}, {@value #EVENTS_PARTITIONS},
 * {@value #TOPICS_REPLICATION_FACTOR}, {@value #DEDUPE_WINDOW}, {@value
 * #METRICS_TENANT_LAG_MAX_TENANTS}, {@value #SEQUENCING}, {@value #RAW_PARTITIONS}, and any {@code
 * streams.<kafka streams property>}, passed through to Kafka Streams (applied last, so it can
 * override what the router sets).
 *
 * @param streamsProperties the {@code streams.*} pass-through properties, prefix removed
 */
public record RouterConfig(
    String bootstrapServers,
    String applicationId,
    Path stateDir,
    String rawTopicPattern,
    String eventsTopic,
    String dlqTopic,
    String tenantField,
    long commitIntervalMs,
    long commitLiveIntervalMs,
    int eventsPartitions,
    short topicsReplicationFactor,
    long dedupeWindow,
    String tenantStrategy,
    List<CollectionRule> collections,
    int maxRecordBytes,
    String ingestTopic,
    boolean typeTopicsEnabled,
    String typeTopicsPrefix,
    String inputFormat,
    String debeziumTopicPattern,
    String fullDocumentTopicPattern,
    int metricsPort,
    String metricsHost,
    int tenantLagMaxTenants,
    Sequencing sequencing,
    int rawPartitions,
    Map<String, String> streamsProperties) {

  public static final String BOOTSTRAP_SERVERS = "bootstrap.servers";
  public static final String APPLICATION_ID = "application.id";
  public static final String STATE_DIR = "state.dir";
  public static final String RAW_TOPIC_PATTERN = "raw.topic.pattern";
  public static final String EVENTS_TOPIC = "events.topic";
  public static final String DLQ_TOPIC = "dlq.topic";
  public static final String TENANT_FIELD = "tenant.field";
  public static final String COMMIT_INTERVAL_MS = "commit.interval.ms";
  public static final String COMMIT_LIVE_INTERVAL_MS = "commit.live.interval.ms";
  public static final String EVENTS_PARTITIONS = "events.partitions";
  public static final String TOPICS_REPLICATION_FACTOR = "topics.replication.factor";
  public static final String DEDUPE_WINDOW = "dedupe.window";
  public static final String TENANT_STRATEGY = "tenant.strategy";
  public static final String MAX_RECORD_BYTES = "max.record.bytes";
  public static final String INGEST_TOPIC = "ingest.topic";
  public static final String TYPE_TOPICS_ENABLED = "type.topics.enabled";
  public static final String TYPE_TOPICS_PREFIX = "type.topics.prefix";
  public static final String INPUT_FORMAT = "input.format";
  public static final String METRICS_PORT = "metrics.port";
  public static final String METRICS_HOST = "metrics.host";
  public static final String INPUT_FORMAT_DEBEZIUM_PATTERN = "input.format.debezium.pattern";

  /** {@code direct} (default) or {@code by-tenant}: see {@link Sequencing}. */
  public static final String SEQUENCING = "sequencing";

  /**
   * A regex of the raw topics the official connector writes with {@code
   * publish.full.document.only=true}, with the named groups {@code db} and {@code coll} giving a
   * topic's namespace, e.g. {@code changecast\.raw\.(?<db>[^.]+)\.(?<coll>.+)}.
   */
  public static final String INPUT_FORMAT_FULL_DOCUMENT_PATTERN =
      "input.format.full-document.pattern";

  public static final String METRICS_TENANT_LAG_MAX_TENANTS = "metrics.tenant-lag.max-tenants";

  /**
   * The partition count N of every raw topic (and, under direct sequencing, of the ingest topic):
   * above 1, raw records are keyed by tenant ({@link RawPartitions}) and N instances share N tasks.
   */
  public static final String RAW_PARTITIONS = RawPartitions.CONFIG_KEY;

  /**
   * Prefix of the per-collection keys {@code collections.<db>.<coll>.tenant} and {@code
   * collections.<db>.<coll>.type}; {@code <db>} or {@code <coll>} may be {@code *}.
   */
  public static final String COLLECTIONS_PREFIX = "collections.";

  /** Prefix of keys passed through to Kafka Streams with the prefix removed. */
  public static final String STREAMS_PREFIX = "streams.";

  /** Prefix of the environment variables read by {@link #load}. */
  public static final String ENV_PREFIX = "CHANGECAST_ROUTER_";

  /** Every key with its default; {@code null} marks a required key. */
  private static final Map<String, String> DEFAULTS = defaults();

  private static final Pattern TOPIC_NAME = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

  public RouterConfig {
    require(BOOTSTRAP_SERVERS, bootstrapServers);
    require(APPLICATION_ID, applicationId);
    if (!TOPIC_NAME.matcher(applicationId).matches()) {
      throw invalid(APPLICATION_ID, applicationId, "use only letters, digits, '.', '_' and '-'");
    }
    if (stateDir == null) {
      throw new IllegalArgumentException("Router config '" + STATE_DIR + "' is required");
    }
    require(RAW_TOPIC_PATTERN, rawTopicPattern);
    Pattern raw = compile(rawTopicPattern);
    topicName(EVENTS_TOPIC, eventsTopic);
    topicName(DLQ_TOPIC, dlqTopic);
    if (eventsTopic.equals(dlqTopic)) {
      throw invalid(DLQ_TOPIC, dlqTopic, "it must differ from " + EVENTS_TOPIC);
    }
    for (String output : List.of(eventsTopic, dlqTopic)) {
      if (raw.matcher(output).matches()) {
        throw invalid(
            RAW_TOPIC_PATTERN,
            rawTopicPattern,
            "it matches the output topic '" + output + "'; the router would read its own output");
      }
    }
    require(TENANT_FIELD, tenantField);
    if (List.of(tenantField.split("\\.", -1)).stream().anyMatch(String::isBlank)) {
      throw invalid(TENANT_FIELD, tenantField, "expected a field name or a dotted path like a.b");
    }
    if (commitIntervalMs < 0) {
      throw invalid(COMMIT_INTERVAL_MS, commitIntervalMs, "expected a number >= 0");
    }
    if (commitLiveIntervalMs < 0) {
      throw invalid(COMMIT_LIVE_INTERVAL_MS, commitLiveIntervalMs, "expected a number >= 0");
    }
    if (eventsPartitions < 1) {
      throw invalid(EVENTS_PARTITIONS, eventsPartitions, "expected a number >= 1");
    }
    if (topicsReplicationFactor != -1 && topicsReplicationFactor < 1) {
      throw invalid(
          TOPICS_REPLICATION_FACTOR,
          topicsReplicationFactor,
          "expected -1 (broker default) or a number >= 1");
    }
    if (dedupeWindow < 1) {
      throw invalid(DEDUPE_WINDOW, dedupeWindow, "expected a number >= 1");
    }
    if (tenantStrategy == null || tenantStrategy.isBlank()) {
      tenantStrategy = "field:" + tenantField;
    }
    try {
      TenantResolver.parse(tenantStrategy);
    } catch (IllegalArgumentException e) {
      throw invalid(TENANT_STRATEGY, tenantStrategy, e.getMessage());
    }
    collections = List.copyOf(collections == null ? List.of() : collections);
    if (maxRecordBytes < 1) {
      throw invalid(MAX_RECORD_BYTES, maxRecordBytes, "expected a number >= 1");
    }
    ingestTopic = ingestTopic == null ? "" : ingestTopic;
    if (!ingestTopic.isEmpty()) {
      topicName(INGEST_TOPIC, ingestTopic);
      if (raw.matcher(ingestTopic).matches()) {
        throw invalid(
            RAW_TOPIC_PATTERN,
            rawTopicPattern,
            "it matches the ingest topic '" + ingestTopic + "'; set one of them differently");
      }
      if (ingestTopic.equals(eventsTopic) || ingestTopic.equals(dlqTopic)) {
        throw invalid(INGEST_TOPIC, ingestTopic, "it must differ from the events and dlq topics");
      }
    }
    topicName(TYPE_TOPICS_PREFIX, typeTopicsPrefix);
    if (metricsPort < -1 || metricsPort > 65535) {
      throw invalid(METRICS_PORT, metricsPort, "expected -1 (off), 0 (any free port) or a port");
    }
    require(METRICS_HOST, metricsHost);
    if (tenantLagMaxTenants < 0) {
      throw invalid(METRICS_TENANT_LAG_MAX_TENANTS, tenantLagMaxTenants, "expected a number >= 0");
    }
    if (!List.of("auto", "mongodb", "debezium").contains(inputFormat)) {
      throw invalid(INPUT_FORMAT, inputFormat, "expected auto, mongodb or debezium");
    }
    debeziumTopicPattern = debeziumTopicPattern == null ? "" : debeziumTopicPattern;
    if (!debeziumTopicPattern.isEmpty()) {
      try {
        Pattern.compile(debeziumTopicPattern);
      } catch (PatternSyntaxException e) {
        throw invalid(
            INPUT_FORMAT_DEBEZIUM_PATTERN,
            debeziumTopicPattern,
            "expected a Java regex: " + e.getDescription());
      }
    }
    fullDocumentTopicPattern = fullDocumentTopicPattern == null ? "" : fullDocumentTopicPattern;
    if (!fullDocumentTopicPattern.isEmpty()) {
      try {
        Pattern.compile(fullDocumentTopicPattern);
      } catch (PatternSyntaxException e) {
        throw invalid(
            INPUT_FORMAT_FULL_DOCUMENT_PATTERN,
            fullDocumentTopicPattern,
            "expected a Java regex: " + e.getDescription());
      }
      if (!fullDocumentTopicPattern.contains("(?<db>")
          || !fullDocumentTopicPattern.contains("(?<coll>")) {
        throw invalid(
            INPUT_FORMAT_FULL_DOCUMENT_PATTERN,
            fullDocumentTopicPattern,
            "expected the named groups (?<db>...) and (?<coll>...) naming the topic's namespace,"
                + " e.g. changecast\\.raw\\.(?<db>[^.]+)\\.(?<coll>.+)");
      }
    }
    if (typeTopicsEnabled && raw.matcher(typeTopicsPrefix + "x").matches()) {
      throw invalid(
          RAW_TOPIC_PATTERN,
          rawTopicPattern,
          "it matches the type topics '"
              + typeTopicsPrefix
              + "<type>'; the router would read its own output");
    }
    if (sequencing == null) {
      throw new IllegalArgumentException("Router config '" + SEQUENCING + "' is required");
    }
    if (rawPartitions < 1) {
      throw invalid(RAW_PARTITIONS, rawPartitions, "expected a number >= 1");
    }
    if (rawPartitions > 1 && sequencing != Sequencing.DIRECT) {
      throw invalid(
          RAW_PARTITIONS,
          rawPartitions,
          "tenant-partitioned raw topics need sequencing=direct (by-tenant repartitions by"
              + " tenant itself and keeps raw.partitions=1)");
    }
    if (rawPartitions > 1 && tenantStrategy.startsWith("static:")) {
      throw invalid(
          RAW_PARTITIONS,
          rawPartitions,
          "tenant.strategy " + tenantStrategy + " names one tenant, which one partition holds");
    }
    streamsProperties = Map.copyOf(streamsProperties == null ? Map.of() : streamsProperties);
  }

  /** The compiled {@link #rawTopicPattern()}. */
  public Pattern rawTopics() {
    return Pattern.compile(rawTopicPattern);
  }

  /**
   * Validates {@code values} and applies the defaults.
   *
   * @throws IllegalArgumentException naming the key and the value found, for an unknown key, a
   *     missing required key or a bad value
   */
  public static RouterConfig fromMap(Map<String, String> values) {
    Map<String, String> merged = new LinkedHashMap<>(DEFAULTS);
    Map<String, String> streams = new TreeMap<>();
    Map<String, CollectionRule> collections = new TreeMap<>();
    for (Map.Entry<String, String> entry : new TreeMap<>(values).entrySet()) {
      String key = entry.getKey().trim();
      String value = entry.getValue() == null ? null : entry.getValue().trim();
      if (key.startsWith(STREAMS_PREFIX)) {
        String streamsKey = key.substring(STREAMS_PREFIX.length());
        if (streamsKey.isEmpty() || value == null) {
          throw new IllegalArgumentException(
              "Router config '" + key + "' needs a Kafka Streams property name and a value");
        }
        streams.put(streamsKey, value);
      } else if (key.startsWith(COLLECTIONS_PREFIX)) {
        collectionRule(key, value, collections);
      } else if (DEFAULTS.containsKey(key)) {
        merged.put(key, value);
      } else {
        throw new IllegalArgumentException(
            "Unknown router config key '"
                + key
                + "'; known keys: "
                + String.join(", ", DEFAULTS.keySet())
                + ", or "
                + STREAMS_PREFIX
                + "<kafka streams property>");
      }
    }
    return new RouterConfig(
        merged.get(BOOTSTRAP_SERVERS),
        merged.get(APPLICATION_ID),
        Path.of(require(STATE_DIR, merged.get(STATE_DIR))),
        merged.get(RAW_TOPIC_PATTERN),
        merged.get(EVENTS_TOPIC),
        merged.get(DLQ_TOPIC),
        merged.get(TENANT_FIELD),
        parseLong(COMMIT_INTERVAL_MS, merged.get(COMMIT_INTERVAL_MS)),
        parseLong(COMMIT_LIVE_INTERVAL_MS, merged.get(COMMIT_LIVE_INTERVAL_MS)),
        (int)
            parseLong(
                EVENTS_PARTITIONS,
                merged.get(EVENTS_PARTITIONS),
                Integer.MIN_VALUE,
                Integer.MAX_VALUE),
        (short)
            parseLong(
                TOPICS_REPLICATION_FACTOR,
                merged.get(TOPICS_REPLICATION_FACTOR),
                Short.MIN_VALUE,
                Short.MAX_VALUE),
        parseLong(DEDUPE_WINDOW, merged.get(DEDUPE_WINDOW)),
        tenantStrategy(values, merged),
        List.copyOf(collections.values()),
        (int)
            parseLong(
                MAX_RECORD_BYTES,
                merged.get(MAX_RECORD_BYTES),
                Integer.MIN_VALUE,
                Integer.MAX_VALUE),
        merged.get(INGEST_TOPIC),
        parseBoolean(TYPE_TOPICS_ENABLED, merged.get(TYPE_TOPICS_ENABLED)),
        merged.get(TYPE_TOPICS_PREFIX),
        merged.get(INPUT_FORMAT),
        merged.get(INPUT_FORMAT_DEBEZIUM_PATTERN),
        merged.get(INPUT_FORMAT_FULL_DOCUMENT_PATTERN),
        (int) parseLong(METRICS_PORT, merged.get(METRICS_PORT), -1, 65535),
        merged.get(METRICS_HOST),
        (int)
            parseLong(
                METRICS_TENANT_LAG_MAX_TENANTS,
                merged.get(METRICS_TENANT_LAG_MAX_TENANTS),
                Integer.MIN_VALUE,
                Integer.MAX_VALUE),
        sequencing(merged.get(SEQUENCING)),
        (int) parseLong(RAW_PARTITIONS, merged.get(RAW_PARTITIONS), 1, 10_000),
        streams);
  }

  private static Sequencing sequencing(String value) {
    Sequencing sequencing = Sequencing.fromConfigValue(value);
    if (sequencing == null) {
      throw invalid(SEQUENCING, value, "expected direct or by-tenant");
    }
    return sequencing;
  }

  /**
   * Reads the config file if given, then lets environment variables override it: key {@code a.b}
   * (or {@code a-b}) is read from {@code CHANGECAST_ROUTER_A_B}; {@code
   * CHANGECAST_ROUTER_STREAMS_X_Y} becomes {@code streams.x.y}. Other environment variables are
   * ignored. A file named {@code *.yaml} or {@code *.yml} is YAML: nested mappings become dotted
   * keys ({@code tenant: {field: org}} is {@code tenant.field=org}), scalars their text, lists are
   * rejected; any other file is a properties file.
   *
   * @throws IllegalArgumentException as {@link #fromMap}, or for an unreadable or malformed file, a
   *     YAML list or a key given twice, or a {@code CHANGECAST_ROUTER_*} variable that names no key
   */
  public static RouterConfig load(Optional<Path> configFile, Map<String, String> env) {
    Map<String, String> values = new LinkedHashMap<>();
    configFile.ifPresent(
        file -> values.putAll(isYaml(file) ? YamlConfig.read(file) : readProperties(file)));
    Map<String, String> envNames = new LinkedHashMap<>();
    DEFAULTS.keySet().forEach(key -> envNames.put(envName(key), key));
    for (Map.Entry<String, String> entry : new TreeMap<>(env).entrySet()) {
      String name = entry.getKey();
      if (!name.startsWith(ENV_PREFIX)) {
        continue;
      }
      String key = envNames.get(name);
      if (key == null && name.startsWith(ENV_PREFIX + "STREAMS_")) {
        key = name.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.');
      }
      if (key == null) {
        throw new IllegalArgumentException(
            "Environment variable "
                + name
                + " names no router config key; known: "
                + String.join(", ", envNames.keySet())
                + ", or "
                + ENV_PREFIX
                + "STREAMS_<KAFKA_STREAMS_PROPERTY>");
      }
      values.put(key, entry.getValue());
    }
    return fromMap(values);
  }

  /**
   * The environment variable that overrides {@code key}, e.g. {@code
   * CHANGECAST_ROUTER_TENANT_FIELD}.
   */
  public static String envName(String key) {
    return ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  private static Map<String, String> defaults() {
    Map<String, String> d = new LinkedHashMap<>();
    d.put(BOOTSTRAP_SERVERS, null);
    d.put(APPLICATION_ID, "changecast-router");
    d.put(STATE_DIR, Path.of(System.getProperty("java.io.tmpdir"), "changecast-router").toString());
    d.put(RAW_TOPIC_PATTERN, RawTopics.DEFAULT_PATTERN);
    d.put(EVENTS_TOPIC, "changecast.events");
    d.put(DLQ_TOPIC, "changecast.dlq");
    d.put(TENANT_FIELD, "tenantId");
    d.put(COMMIT_INTERVAL_MS, "50");
    d.put(COMMIT_LIVE_INTERVAL_MS, "10");
    d.put(EVENTS_PARTITIONS, "6");
    d.put(TOPICS_REPLICATION_FACTOR, "-1");
    d.put(DEDUPE_WINDOW, "100000");
    d.put(TENANT_STRATEGY, "");
    d.put(MAX_RECORD_BYTES, Integer.toString(1024 * 1024));
    d.put(INGEST_TOPIC, "changecast.ingest");
    d.put(TYPE_TOPICS_ENABLED, "false");
    d.put(TYPE_TOPICS_PREFIX, "changecast.type.");
    d.put(INPUT_FORMAT, "auto");
    d.put(INPUT_FORMAT_DEBEZIUM_PATTERN, "");
    d.put(INPUT_FORMAT_FULL_DOCUMENT_PATTERN, "");
    d.put(METRICS_PORT, "-1");
    d.put(METRICS_HOST, "127.0.0.1");
    d.put(METRICS_TENANT_LAG_MAX_TENANTS, Integer.toString(RouterMetrics.DEFAULT_MAX_LAG_TENANTS));
    d.put(SEQUENCING, Sequencing.DIRECT.configValue());
    d.put(RAW_PARTITIONS, Integer.toString(RawPartitions.DEFAULT));
    return java.util.Collections.unmodifiableMap(d);
  }

  private static String tenantStrategy(Map<String, String> given, Map<String, String> merged) {
    String strategy = merged.get(TENANT_STRATEGY);
    if (strategy != null && !strategy.isBlank() && given.containsKey(TENANT_FIELD)) {
      throw new IllegalArgumentException(
          "Router config '"
              + TENANT_STRATEGY
              + "' and '"
              + TENANT_FIELD
              + "' are both set; set only "
              + TENANT_STRATEGY
              + " (e.g. field:"
              + merged.get(TENANT_FIELD)
              + ")");
    }
    return strategy;
  }

  /** {@code collections.<db>.<coll>.<tenant|type>}: the database is the first segment. */
  private static void collectionRule(
      String key, String value, Map<String, CollectionRule> collections) {
    String rest = key.substring(COLLECTIONS_PREFIX.length());
    int firstDot = rest.indexOf('.');
    int lastDot = rest.lastIndexOf('.');
    if (firstDot <= 0 || lastDot <= firstDot + 1 || lastDot == rest.length() - 1) {
      throw new IllegalArgumentException(
          "Router config key '"
              + key
              + "' is not of the form "
              + COLLECTIONS_PREFIX
              + "<db>.<collection>.<tenant|type> (<db> or <collection> may be *)");
    }
    String database = rest.substring(0, firstDot);
    String collection = rest.substring(firstDot + 1, lastDot);
    String property = rest.substring(lastDot + 1);
    String tenant = null;
    String type = null;
    switch (property) {
      case "tenant" -> tenant = require(key, value);
      case "type" -> type = require(key, value);
      default ->
          throw new IllegalArgumentException(
              "Unknown router config key '"
                  + key
                  + "'; per-collection keys end in .tenant or .type");
    }
    CollectionRule rule;
    try {
      rule = new CollectionRule(database, collection, tenant, type);
    } catch (IllegalArgumentException e) {
      throw invalid(key, value, e.getMessage());
    }
    collections.merge(database + "\u0000" + collection, rule, CollectionRule::orElseRule);
  }

  private static boolean isYaml(Path file) {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    return name.endsWith(".yaml") || name.endsWith(".yml");
  }

  private static Map<String, String> readProperties(Path file) {
    Properties properties = new Properties();
    try (InputStream in = Files.newInputStream(file)) {
      properties.load(in);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "Cannot read router config file " + file + ": " + e.getMessage(),
          new UncheckedIOException(e));
    }
    Map<String, String> values = new LinkedHashMap<>();
    properties
        .stringPropertyNames()
        .forEach(name -> values.put(name, properties.getProperty(name)));
    return values;
  }

  private static String require(String key, String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("Router config '" + key + "' is required");
    }
    return value;
  }

  private static void topicName(String key, String value) {
    require(key, value);
    if (!TOPIC_NAME.matcher(value).matches() || value.equals(".") || value.equals("..")) {
      throw invalid(key, value, "expected a Kafka topic name (letters, digits, '.', '_', '-')");
    }
  }

  private static Pattern compile(String regex) {
    try {
      return Pattern.compile(regex);
    } catch (PatternSyntaxException e) {
      throw invalid(RAW_TOPIC_PATTERN, regex, "expected a Java regex: " + e.getDescription());
    }
  }

  private static boolean parseBoolean(String key, String value) {
    if ("true".equalsIgnoreCase(value) || "false".equalsIgnoreCase(value)) {
      return Boolean.parseBoolean(value);
    }
    throw invalid(key, value, "expected true or false");
  }

  private static long parseLong(String key, String value) {
    return parseLong(key, value, Long.MIN_VALUE, Long.MAX_VALUE);
  }

  private static long parseLong(String key, String value, long min, long max) {
    require(key, value);
    try {
      long parsed = Long.parseLong(value);
      if (parsed < min || parsed > max) {
        throw invalid(key, value, "expected a number between " + min + " and " + max);
      }
      return parsed;
    } catch (NumberFormatException e) {
      throw invalid(key, value, "expected a whole number");
    }
  }

  private static IllegalArgumentException invalid(String key, Object value, String expectation) {
    return new IllegalArgumentException(
        "Invalid router config '" + key + "': '" + value + "'; " + expectation);
  }
}
