package io.changecast.router.config;

import io.changecast.config.Checks;
import io.changecast.config.ConfigKeys;
import io.changecast.config.ConfigLoader;
import io.changecast.config.ConfigLoader.OpenPrefix;
import io.changecast.config.InvalidConfigException;
import io.changecast.config.LoadedConfig;
import io.changecast.contract.RawPartitions;
import io.changecast.contract.RawTopics;
import io.changecast.contract.TenantStrategy;
import io.changecast.contract.Topics;
import io.changecast.router.metrics.RouterMetrics;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Type;

/**
 * The router's configuration. Build it with {@link #fromMap} (validating, defaults applied) or
 * {@link #load} (a properties or YAML file, then {@code CHANGECAST_ROUTER_*} environment
 * variables), both through the shared {@link ConfigLoader}. Every key with its default, rule and
 * meaning is in {@link #DEFINITION} (the README's router table is generated from it); besides them,
 * {@code collections.<db>.<coll>.<tenant|type>} and any {@code streams.<kafka streams property>},
 * passed through to Kafka Streams (applied last, so it can override what the router sets). The
 * canonical constructor checks the rules between keys; each key's own rule is its validator.
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

  /** Every router key: type, default, rule, group and meaning. */
  public static final ConfigDef DEFINITION = definition();

  private static final ConfigLoader LOADER =
      new ConfigLoader(
          "router",
          DEFINITION,
          List.of(
              new OpenPrefix(STREAMS_PREFIX, "<kafka streams property>", true),
              new OpenPrefix(COLLECTIONS_PREFIX, "<db>.<collection>.<tenant|type>", false)));

  public RouterConfig {
    Pattern raw = Pattern.compile(rawTopicPattern);
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
    boolean fromField = tenantStrategy == null || tenantStrategy.isBlank();
    if (fromField) {
      tenantStrategy = "field:" + tenantField;
    }
    TenantStrategy strategy;
    try {
      strategy = TenantStrategy.parse(tenantStrategy);
    } catch (IllegalArgumentException e) {
      throw fromField
          ? invalid(TENANT_FIELD, tenantField, e.getMessage())
          : invalid(TENANT_STRATEGY, tenantStrategy, e.getMessage());
    }
    collections = List.copyOf(collections == null ? List.of() : collections);
    ingestTopic = ingestTopic == null ? "" : ingestTopic;
    if (!ingestTopic.isEmpty()) {
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
    debeziumTopicPattern = debeziumTopicPattern == null ? "" : debeziumTopicPattern;
    fullDocumentTopicPattern = fullDocumentTopicPattern == null ? "" : fullDocumentTopicPattern;
    if (typeTopicsEnabled && raw.matcher(typeTopicsPrefix + "x").matches()) {
      throw invalid(
          RAW_TOPIC_PATTERN,
          rawTopicPattern,
          "it matches the type topics '"
              + typeTopicsPrefix
              + "<type>'; the router would read its own output");
    }
    if (rawPartitions > 1 && sequencing != Sequencing.DIRECT) {
      throw invalid(
          RAW_PARTITIONS,
          rawPartitions,
          "tenant-partitioned raw topics need sequencing=direct (by-tenant repartitions by"
              + " tenant itself and keeps raw.partitions=1)");
    }
    if (rawPartitions > 1 && strategy instanceof TenantStrategy.Static) {
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
    return LOADER.fromMap(values).build(RouterConfig::from);
  }

  /**
   * Reads the config file if given, then lets environment variables override it: key {@code a.b}
   * (or {@code a-b}) is read from {@code CHANGECAST_ROUTER_A_B}; {@code
   * CHANGECAST_ROUTER_STREAMS_X_Y} becomes {@code streams.x.y}. Other environment variables are
   * ignored. A file named {@code *.yaml} or {@code *.yml} is YAML (nested mappings become dotted
   * keys); any other file is a properties file.
   *
   * @throws IllegalArgumentException as {@link #fromMap}, naming where a bad value came from, or
   *     for an unreadable or malformed file, or a {@code CHANGECAST_ROUTER_*} variable that names
   *     no key
   */
  public static RouterConfig load(Optional<Path> configFile, Map<String, String> env) {
    return LOADER.load(configFile, env).build(RouterConfig::from);
  }

  /**
   * The environment variable that overrides {@code key}, e.g. {@code
   * CHANGECAST_ROUTER_TENANT_FIELD}.
   */
  public static String envName(String key) {
    return LOADER.envName(key);
  }

  private static RouterConfig from(LoadedConfig config) {
    if (config.isSet(TENANT_FIELD) && !config.getString(TENANT_STRATEGY).isBlank()) {
      throw config.invalid(
          TENANT_STRATEGY,
          TENANT_FIELD
              + " is set too; set only "
              + TENANT_STRATEGY
              + " (e.g. field:"
              + config.getString(TENANT_FIELD)
              + ")");
    }
    Map<String, CollectionRule> collections = new TreeMap<>();
    config
        .withPrefix(COLLECTIONS_PREFIX)
        .forEach((rest, value) -> collectionRule(config, rest, value, collections));
    return new RouterConfig(
        config.getString(BOOTSTRAP_SERVERS),
        config.getString(APPLICATION_ID),
        config.isSet(STATE_DIR)
            ? Path.of(config.getString(STATE_DIR))
            : Path.of(System.getProperty("java.io.tmpdir"), "changecast-router"),
        config.getString(RAW_TOPIC_PATTERN),
        config.getString(EVENTS_TOPIC),
        config.getString(DLQ_TOPIC),
        config.getString(TENANT_FIELD),
        config.getLong(COMMIT_INTERVAL_MS),
        config.getLong(COMMIT_LIVE_INTERVAL_MS),
        config.getInt(EVENTS_PARTITIONS),
        config.getShort(TOPICS_REPLICATION_FACTOR),
        config.getLong(DEDUPE_WINDOW),
        config.getString(TENANT_STRATEGY),
        List.copyOf(collections.values()),
        config.getInt(MAX_RECORD_BYTES),
        config.getString(INGEST_TOPIC),
        config.getBoolean(TYPE_TOPICS_ENABLED),
        config.getString(TYPE_TOPICS_PREFIX),
        config.getString(INPUT_FORMAT).toLowerCase(Locale.ROOT),
        config.getString(INPUT_FORMAT_DEBEZIUM_PATTERN),
        config.getString(INPUT_FORMAT_FULL_DOCUMENT_PATTERN),
        config.getInt(METRICS_PORT),
        config.getString(METRICS_HOST),
        config.getInt(METRICS_TENANT_LAG_MAX_TENANTS),
        Sequencing.fromConfigValue(config.getString(SEQUENCING)),
        config.getInt(RAW_PARTITIONS),
        config.withPrefix(STREAMS_PREFIX));
  }

  /** {@code collections.<db>.<coll>.<tenant|type>}: the database is the first segment. */
  private static void collectionRule(
      LoadedConfig config, String rest, String value, Map<String, CollectionRule> collections) {
    String key = COLLECTIONS_PREFIX + rest;
    int firstDot = rest.indexOf('.');
    int lastDot = rest.lastIndexOf('.');
    String property = lastDot < 0 ? "" : rest.substring(lastDot + 1);
    if (firstDot <= 0
        || lastDot <= firstDot + 1
        || !(property.equals("tenant") || property.equals("type"))) {
      throw config.invalid(
          key,
          "expected a key of the form "
              + COLLECTIONS_PREFIX
              + "<db>.<collection>.<tenant|type> (<db> or <collection> may be *)");
    }
    String database = rest.substring(0, firstDot);
    String collection = rest.substring(firstDot + 1, lastDot);
    CollectionRule rule;
    try {
      rule =
          property.equals("tenant")
              ? new CollectionRule(database, collection, value, null)
              : new CollectionRule(database, collection, null, value);
    } catch (IllegalArgumentException e) {
      throw config.invalid(key, e.getMessage());
    }
    collections.merge(database + "\u0000" + collection, rule, CollectionRule::orElseRule);
  }

  private static ConfigDef definition() {
    return new ConfigKeys()
        .group("Kafka")
        .required(BOOTSTRAP_SERVERS, Type.STRING, Checks.nonBlank(), "the Kafka cluster")
        .optional(
            APPLICATION_ID,
            Type.STRING,
            "changecast-router",
            Checks.kafkaId(),
            "Kafka Streams' application id: every instance of one router shares it")
        .optional(
            STATE_DIR,
            Type.STRING,
            null,
            Checks.nonBlank(),
            "Kafka Streams' state directory; not set: `$TMPDIR/changecast-router`")
        .optional(
            TOPICS_REPLICATION_FACTOR,
            Type.SHORT,
            (short) -1,
            Checks.that(
                "-1 (broker default) or a number >= 1",
                factor -> ((Short) factor) == -1 || ((Short) factor) >= 1),
            "replication factor of the topics the router creates")
        .group("Topics")
        .optional(
            RAW_TOPIC_PATTERN,
            Type.STRING,
            RawTopics.DEFAULT_PATTERN,
            Checks.regex(false),
            "the connector's raw topics")
        .optional(
            EVENTS_TOPIC,
            Type.STRING,
            Topics.EVENTS,
            Checks.topicName(false),
            "where routed events go, keyed by tenant")
        .optional(
            DLQ_TOPIC, Type.STRING, Topics.DLQ, Checks.topicName(false), "the dead-letter topic")
        .optional(
            EVENTS_PARTITIONS,
            Type.INT,
            6,
            Checks.atLeast(1),
            "partitions of `changecast.events` (and, under `by-tenant` sequencing, of the"
                + " repartition by tenant and the ingest topic: they bound how many router"
                + " instances share the sequencing)")
        .optional(
            INGEST_TOPIC,
            Type.STRING,
            Topics.INGEST,
            Checks.topicName(true),
            "events published through the edge's write API; created at start if missing;"
                + " empty to disable")
        .optional(
            TYPE_TOPICS_ENABLED,
            Type.BOOLEAN,
            false,
            null,
            "also write every event to a topic per event type")
        .optional(
            TYPE_TOPICS_PREFIX,
            Type.STRING,
            Topics.TYPE_PREFIX,
            Checks.topicName(false),
            "prefix of the per-type topics")
        .optional(
            MAX_RECORD_BYTES,
            Type.INT,
            1024 * 1024,
            Checks.atLeast(1),
            "larger records go to the dead-letter topic")
        .group("Tenants")
        .optional(
            TENANT_FIELD,
            Type.STRING,
            "tenantId",
            Checks.that(
                "a field name or a dotted path like a.b",
                path ->
                    List.of(path.toString().split("\\.", -1)).stream().noneMatch(String::isBlank)),
            "the document field naming the tenant (the default strategy `field:<tenant.field>`);"
                + " do not set it together with `tenant.strategy`")
        .optional(
            TENANT_STRATEGY,
            Type.STRING,
            "",
            Checks.parses(
                "field:<path>, database, collection-prefix:<separator> or static:<tenant>; empty"
                    + " for field:<tenant.field>",
                strategy -> {
                  if (!strategy.isBlank()) {
                    TenantStrategy.parse(strategy);
                  }
                }),
            "how an event's tenant is found: `field:<path>`, `database`,"
                + " `collection-prefix:<sep>`, `static:<tenant>`; per collection with"
                + " `collections.<db>.<coll>.tenant` (and `.type`: `default`, `name:<base>`,"
                + " `field:<path>`; file only)")
        .group("Processing")
        .optional(
            SEQUENCING,
            Type.STRING,
            Sequencing.DIRECT.configValue(),
            Checks.oneOf("direct", "by-tenant"),
            "where ids are assigned. `direct`: in the task that parses the raw topics, in the"
                + " same transaction, so an event crosses one exactly-once commit; every raw"
                + " topic and the ingest topic must have `raw.partitions` partitions (the shipped"
                + " connector configs create raw topics with one; the router creates the ingest"
                + " topic so); with one partition one instance routes at a time and more"
                + " instances are standbys. `by-tenant`: DESIGN.md's repartition by tenant first,"
                + " for raw topics with several partitions or sequencing spread over instances, at"
                + " the price of a second commit per event"
                + " ([why](docs/design-notes.md#direct-sequencing-one-commit-per-event))")
        .optional(
            RAW_PARTITIONS,
            Type.INT,
            RawPartitions.DEFAULT,
            Checks.between(1, RawPartitions.MAX),
            "partitions of every raw topic and the ingest topic under `direct` sequencing. Above"
                + " 1 the raw records must be keyed by tenant, so that N router instances share N"
                + " tasks (see *Scaling out*); the connector's"
                + " `topic.creation.default.partitions` must be the same (`changecast-connect"
                + " validate --raw-partitions N` checks it)")
        .optional(
            COMMIT_INTERVAL_MS,
            Type.LONG,
            50L,
            Checks.atLeast(0),
            "the longest time between transaction commits (Kafka Streams' `commit.interval.ms`):"
                + " what an event waits when the router is behind. Under `direct` sequencing an"
                + " event waits for one commit (`changecast.events` is read `read_committed`);"
                + " under `by-tenant` for two. A commit blocks the stream thread, so a longer"
                + " interval routes more per second")
        .optional(
            COMMIT_LIVE_INTERVAL_MS,
            Type.LONG,
            10L,
            Checks.atLeast(0),
            "while the router is caught up (it routes records at most 250 ms old by their Kafka"
                + " timestamp), it requests a commit once this long has passed since its previous"
                + " requested commit ended; behind a backlog it requests none, and commits follow"
                + " `commit.interval.ms`. 0 = off. The stream thread's `poll.ms` and its"
                + " consumer's `fetch.max.wait.ms` follow the shorter of the two intervals (within"
                + " 10–100 ms)")
        .optional(
            DEDUPE_WINDOW,
            Type.LONG,
            100_000L,
            Checks.atLeast(1),
            "resume tokens remembered per raw partition to drop redelivered events (tokens"
                + " without a stream position only)")
        .group("Input formats")
        .optional(
            INPUT_FORMAT,
            Type.STRING,
            "auto",
            Checks.oneOf("auto", "mongodb", "debezium"),
            "the raw records' format; `auto` tells them apart per record")
        .optional(
            INPUT_FORMAT_DEBEZIUM_PATTERN,
            Type.STRING,
            "",
            Checks.regex(true),
            "raw topics (regex) read as Debezium change events whatever `input.format` says")
        .optional(
            INPUT_FORMAT_FULL_DOCUMENT_PATTERN,
            Type.STRING,
            "",
            fullDocumentPattern(),
            "raw topics of a connector with `publish.full.document.only=true` (regex with groups"
                + " `db`, `coll`, e.g. `changecast\\.raw\\.(?<db>[^.]+)\\.(?<coll>.+)`):"
                + " documents become `replace` events, tombstones `delete`s, not deduplicated")
        .group("Metrics")
        .optional(
            METRICS_PORT,
            Type.INT,
            -1,
            Checks.that(
                "-1 (off), 0 (any free port) or a port",
                port -> ((Integer) port) >= -1 && ((Integer) port) <= 65535),
            "serves `GET /metrics` (Prometheus text) and the health endpoints")
        .optional(METRICS_HOST, Type.STRING, "127.0.0.1", Checks.nonBlank(), "the metrics address")
        .optional(
            METRICS_TENANT_LAG_MAX_TENANTS,
            Type.INT,
            RouterMetrics.DEFAULT_MAX_LAG_TENANTS,
            Checks.atLeast(0),
            "tenants with a lag series of their own (0 = none); later tenants count in"
                + " `changecast.router.tenant.lag.overflow`")
        .definition();
  }

  private static Checks.Check fullDocumentPattern() {
    Checks.Check regex = Checks.regex(true);
    return Checks.parses(
        "a Java regex with the named groups (?<db>...) and (?<coll>...), or empty for none",
        pattern -> {
          regex
              .reason(pattern)
              .ifPresent(
                  reason -> {
                    throw new IllegalArgumentException(reason);
                  });
          if (!pattern.isEmpty() && !(pattern.contains("(?<db>") && pattern.contains("(?<coll>"))) {
            throw new IllegalArgumentException(
                "expected the named groups (?<db>...) and (?<coll>...) naming the topic's"
                    + " namespace, e.g. changecast\\.raw\\.(?<db>[^.]+)\\.(?<coll>.+)");
          }
        });
  }

  private static InvalidConfigException invalid(String key, Object value, String reason) {
    return InvalidConfigException.of("router", key, value, reason);
  }
}
