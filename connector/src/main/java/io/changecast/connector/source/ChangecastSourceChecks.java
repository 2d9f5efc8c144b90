package io.changecast.connector.source;

import com.mongodb.kafka.connect.source.MongoSourceConfig;
import io.changecast.connector.config.ConfigProblem;
import io.changecast.connector.config.internal.ConfigValues;
import io.changecast.connector.config.internal.RawTopicNames;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Changecast's policy for a MongoDB source config: the one rule set behind both the connector's
 * {@code validate()} ({@link ChangecastSourceConfig#check}, errors as {@code ConfigValue} messages)
 * and the {@code changecast-connect validate} CLI (as {@link ConfigProblem}s).
 *
 * <p>A key the config does not set is judged by the value the connector falls back to: the official
 * connector's default, or, for the Changecast connector, {@link ChangecastSourceConfig#DEFAULTS}
 * (the caller passes the props with them applied). Some rules are errors for the Changecast
 * connector, which enforces them, but warnings for the official connector, with which Changecast
 * still works, degraded; see {@link Target}.
 */
public final class ChangecastSourceChecks {

  /** Which connector runs the config. */
  public enum Target {
    /** {@code ChangecastSourceConnector}: every rule is an error. */
    CHANGECAST,
    /**
     * The official {@code MongoSourceConnector}: a missing post-image, another JSON formatter, no
     * heartbeats or a custom topic mapper are warnings; control-record rules do not apply.
     */
    OFFICIAL
  }

  static final String DEFAULT_JSON = "com.mongodb.kafka.connect.source.json.formatter.DefaultJson";
  static final String DEFAULT_TOPIC_MAPPER =
      "com.mongodb.kafka.connect.source.topic.mapping.DefaultTopicMapper";

  /** The router's key declaring raw topics of {@code publish.full.document.only=true} records. */
  public static final String FULL_DOCUMENT_PATTERN_KEY = "input.format.full-document.pattern";

  /** Kafka Connect's partition count for the topics it creates. */
  public static final String TOPIC_CREATION_PARTITIONS = "topic.creation.default.partitions";

  private static final Set<String> POST_IMAGE_MODES =
      Set.of("updatelookup", "whenavailable", "required");

  private ChangecastSourceChecks() {}

  /** Every finding for {@code props}, in a stable order; at most one per key. */
  public static List<ConfigProblem> check(Map<String, String> props, Target target) {
    Rules r = new Rules(props);
    r.converter("key.converter");
    r.converter("value.converter");
    r.exactly(
        MongoSourceConfig.OUTPUT_FORMAT_VALUE_CONFIG,
        "json",
        "json",
        true,
        "the router parses each raw record's value as a JSON change event");
    r.exactly(
        MongoSourceConfig.OUTPUT_FORMAT_KEY_CONFIG,
        "json",
        "json",
        true,
        "with a string converter a schema key would be written as a Struct's toString()");
    r.exactly(
        MongoSourceConfig.OUTPUT_JSON_FORMATTER_CONFIG,
        DEFAULT_JSON,
        DEFAULT_JSON,
        target == Target.CHANGECAST,
        "the router reads DefaultJson's Extended JSON ($date, $oid, $timestamp)");
    String fullDocument = r.value(MongoSourceConfig.FULL_DOCUMENT_CONFIG, "");
    if (!POST_IMAGE_MODES.contains(fullDocument.toLowerCase(Locale.ROOT))) {
      r.add(
          target == Target.CHANGECAST,
          MongoSourceConfig.FULL_DOCUMENT_CONFIG,
          "\"updateLookup\" (or \"whenAvailable\", \"required\")",
          "without it update events carry no document, so envelopes of updates have none and"
              + " their tenant cannot be read from the document");
    }
    r.exactly(
        MongoSourceConfig.DOCUMENT_KEY_AS_KEY_CONFIG,
        "true",
        "true",
        true,
        "keys each event by its documentKey, so the router can trace deletes to their tenant");
    fullDocumentOnly(r);
    heartbeat(r, target);
    errorTolerance(r);
    r.notEmpty(
        MongoSourceConfig.TOPIC_PREFIX_CONFIG,
        "a topic prefix, e.g. \"changecast.raw\"",
        "the router subscribes to the raw topics by their prefix");
    if (target == Target.CHANGECAST) {
      r.exactly(
          MongoSourceConfig.TOPIC_MAPPER_CONFIG,
          DEFAULT_TOPIC_MAPPER,
          DEFAULT_TOPIC_MAPPER,
          true,
          "the connector writes control records to the raw topics of the default topic mapping");
      for (String key :
          List.of(
              MongoSourceConfig.TOPIC_SUFFIX_CONFIG,
              MongoSourceConfig.TOPIC_NAMESPACE_MAP_CONFIG)) {
        String value = r.value(key, "").trim();
        if (!value.isEmpty() && !value.equals("{}")) {
          r.add(
              true,
              key,
              "nothing",
              "the connector writes control records to the raw topics of the default topic"
                  + " mapping");
        }
      }
    } else {
      r.exactly(
          MongoSourceConfig.TOPIC_MAPPER_CONFIG,
          DEFAULT_TOPIC_MAPPER,
          DEFAULT_TOPIC_MAPPER,
          false,
          "raw topic names of a custom mapper cannot be checked offline");
    }
    if (target == Target.CHANGECAST) {
      rawPartitions(r);
    }
    String database = r.value(MongoSourceConfig.DATABASE_CONFIG, "").trim();
    if (database.isEmpty() && !r.value(MongoSourceConfig.COLLECTION_CONFIG, "").isBlank()) {
      r.add(
          true,
          MongoSourceConfig.COLLECTION_CONFIG,
          "no collection without a database",
          "the watched namespace is named by database and collection; a collection alone is"
              + " ignored and the whole deployment is watched");
    }
    return List.copyOf(r.problems);
  }

  /**
   * {@value ChangecastSourceConfig#RAW_PARTITIONS_CONFIG} is the raw topics' partition count: the
   * task writes a namespace-wide event to partitions 0..N-1, so topics created with another count
   * ({@code topic.creation.default.partitions}) would miss copies or refuse them. A malformed value
   * is the {@code ConfigDef}'s error.
   */
  private static void rawPartitions(Rules r) {
    int partitions;
    try {
      partitions =
          ChangecastSourceConfig.parseRawPartitions(
              r.props.get(ChangecastSourceConfig.RAW_PARTITIONS_CONFIG));
    } catch (org.apache.kafka.common.config.ConfigException e) {
      return;
    }
    String created = r.props.get(TOPIC_CREATION_PARTITIONS);
    if (created != null && !created.trim().equals(Integer.toString(partitions))) {
      r.add(
          true,
          ChangecastSourceConfig.RAW_PARTITIONS_CONFIG,
          "\""
              + created.trim()
              + "\", the "
              + TOPIC_CREATION_PARTITIONS
              + " it creates raw topics with",
          "the task writes each namespace-wide event (drop, rename, dropDatabase, invalidate,"
              + " history lost) once to each partition 0..N-1 of its raw topic, so that every"
              + " router task resets its own tenants: N must be the raw topics' partition count");
    }
  }

  /**
   * {@code publish.full.document.only=true} is valid but degraded: a warning naming what is lost
   * and the router key that must read these topics. Without tombstones deletes would vanish: an
   * error.
   */
  private static void fullDocumentOnly(Rules r) {
    if (!ConfigValues.isTrue(r.props.get(MongoSourceConfig.PUBLISH_FULL_DOCUMENT_ONLY_CONFIG))) {
      return;
    }
    String prefix = r.value(MongoSourceConfig.TOPIC_PREFIX_CONFIG, "");
    String separator = r.value(MongoSourceConfig.TOPIC_SEPARATOR_CONFIG, ".");
    r.add(
        false,
        MongoSourceConfig.PUBLISH_FULL_DOCUMENT_ONLY_CONFIG,
        "\"false\" for whole change events; \"true\" works with less information",
        "the router's "
            + FULL_DOCUMENT_PATTERN_KEY
            + " must match these topics, e.g. "
            + fullDocumentPattern(prefix, separator)
            + ", or it dead-letters every record; then every document becomes a"
            + " <collection>.replaced event (operation replace: inserts, updates and replaces"
            + " cannot be told apart) and every tombstone a <collection>.deleted event, no event"
            + " has changes (updatedFields, removedFields, truncatedArrays) or clusterTime, and"
            + " records the connector sends again after a restart are not deduplicated");
    String tombstones = MongoSourceConfig.PUBLISH_FULL_DOCUMENT_ONLY_TOMBSTONE_ON_DELETE_CONFIG;
    if (!ConfigValues.isTrue(r.props.get(tombstones))) {
      r.add(
          true,
          tombstones,
          "\"true\" with publish.full.document.only=true",
          "without a tombstone a delete sends nothing, so no subscriber ever hears of it");
    }
  }

  /**
   * The router's {@value #FULL_DOCUMENT_PATTERN_KEY} for the raw topics of the default topic
   * mapping under {@code prefix}, e.g. {@code changecast\.raw\.(?<db>[^.]+)\.(?<coll>.+)}.
   */
  static String fullDocumentPattern(String prefix, String separator) {
    String sep = regexLiteral(separator);
    String head = RawTopicNames.head(regexLiteral(prefix), sep);
    String db =
        separator.length() == 1
            ? "[^" + separator.replaceAll("([\\\\\\]\\[^-])", "\\\\$1") + "]+"
            : "(?:(?!" + sep + ").)+";
    return head + "(?<db>" + db + ")" + sep + "(?<coll>.+)";
  }

  private static String regexLiteral(String text) {
    return text.replaceAll("([\\\\.\\[\\]{}()*+?^$|-])", "\\\\$1");
  }

  private static void heartbeat(Rules r, Target target) {
    String key = MongoSourceConfig.HEARTBEAT_INTERVAL_MS_CONFIG;
    long interval;
    try {
      interval = Long.parseLong(r.value(key, "0").trim());
    } catch (NumberFormatException e) {
      interval = -1;
    }
    if (interval <= 0) {
      r.add(
          target == Target.CHANGECAST,
          key,
          "a number of milliseconds greater than 0, e.g. \"10000\"",
          "heartbeats keep the resume token of a quiet namespace fresh, so it does not fall out"
              + " of the oplog");
    }
  }

  /**
   * {@code mongo.errors.tolerance}, when set, decides for the MongoDB source; otherwise {@code
   * errors.tolerance} does.
   */
  private static void errorTolerance(Rules r) {
    String override = r.props.get(MongoSourceConfig.OVERRIDE_ERRORS_TOLERANCE_CONFIG);
    if (override != null && !override.isBlank()) {
      r.exactly(
          MongoSourceConfig.OVERRIDE_ERRORS_TOLERANCE_CONFIG,
          "none",
          "none",
          true,
          "it overrides errors.tolerance for the MongoDB source; with \"all\" a lost resume"
              + " token is skipped and no subscriber hears of it");
    } else {
      r.exactly(
          MongoSourceConfig.ERRORS_TOLERANCE_CONFIG,
          "none",
          "none",
          true,
          "with \"all\" the connector skips what it cannot read, a lost resume token included,"
              + " and no subscriber hears of it");
    }
  }

  /** The props, the findings so far and how to add one. */
  private static final class Rules {
    private final Map<String, String> props;
    private final List<ConfigProblem> problems = new ArrayList<>();

    Rules(Map<String, String> props) {
      this.props = props;
    }

    String value(String key, String officialDefault) {
      String value = props.get(key);
      return value == null ? officialDefault : value;
    }

    void add(boolean error, String key, String expected, String reason) {
      String found = props.get(key);
      problems.add(
          error
              ? ConfigProblem.error(key, found, expected, reason)
              : ConfigProblem.warning(key, found, expected, reason));
    }

    void exactly(
        String key, String officialDefault, String expected, boolean error, String reason) {
      if (!value(key, officialDefault).trim().equalsIgnoreCase(expected)) {
        add(error, key, "\"" + expected + "\"", reason);
      }
    }

    void notEmpty(String key, String expected, String reason) {
      if (value(key, "").isBlank()) {
        add(true, key, expected, reason);
      }
    }

    void converter(String key) {
      String found = props.get(key);
      if (!ChangecastSourceConfig.STRING_CONVERTER.equals(found == null ? null : found.trim())) {
        add(
            true,
            key,
            "\"" + ChangecastSourceConfig.STRING_CONVERTER + "\"",
            found == null
                ? "set it on the connector, or the worker's default converter applies"
                : "the connector already writes JSON text; the router reads it as is");
      }
    }
  }
}
