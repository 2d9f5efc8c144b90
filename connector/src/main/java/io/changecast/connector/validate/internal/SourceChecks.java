package io.changecast.connector.validate.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.changecast.connector.config.ConfigProblem;
import io.changecast.connector.config.internal.RawTopicNames;
import io.changecast.connector.source.ChangecastSourceChecks;
import io.changecast.connector.source.ChangecastSourceConfig;
import io.changecast.connector.transforms.TenantHeader;
import io.changecast.contract.RawPartitions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The checks of a source config against the router it feeds: raw topic names inside the router's
 * {@code raw.topic.pattern}, heartbeats outside it, the router's {@code raw.partitions} per raw
 * topic (above 1: records keyed by tenant). The connector options Changecast depends on are {@link
 * ChangecastSourceChecks}, shared with the connector's own validation. Defaults are the official
 * connector's, so an unset key is judged by the value it falls back to.
 */
public final class SourceChecks {

  /** The converter the router needs: the connector's JSON passed through as text. */
  public static final String STRING_CONVERTER = ChangecastSourceConfig.STRING_CONVERTER;

  private static final String DEFAULT_TOPIC_MAPPER =
      "com.mongodb.kafka.connect.source.topic.mapping.DefaultTopicMapper";

  private static final ObjectMapper JSON = new ObjectMapper();

  private static final String PARTITIONS = "topic.creation.default.partitions";
  private static final String PRE_IMAGES = "change.stream.full.document.before.change";

  private final Pattern rawTopicPattern;
  private final int rawPartitions;

  /**
   * @param rawPartitions the router's {@code raw.partitions}: each raw topic's partition count
   */
  public SourceChecks(Pattern rawTopicPattern, int rawPartitions) {
    this.rawTopicPattern = rawTopicPattern;
    this.rawPartitions = rawPartitions;
  }

  /**
   * Every problem of {@code config} for {@code target}: {@link ChangecastSourceChecks}, then the
   * router-facing checks, skipping keys already flagged (by the official validation or an earlier
   * check).
   */
  public List<ConfigProblem> check(
      Map<String, String> config, ChangecastSourceChecks.Target target, Set<String> flagged) {
    Set<String> seen = new HashSet<>(flagged);
    List<ConfigProblem> problems = new ArrayList<>();
    for (ConfigProblem problem : ChangecastSourceChecks.check(config, target)) {
      if (seen.add(problem.key())) {
        problems.add(problem);
      }
    }
    List<ConfigProblem> routerFacing = new ArrayList<>();
    Values v = new Values(config);
    topicNames(routerFacing, v);
    heartbeat(routerFacing, v);
    int keyed = routerFacing.size();
    partitions(routerFacing, config);
    boolean changecast = target == ChangecastSourceChecks.Target.CHANGECAST;
    if (changecast || routerFacing.size() == keyed) { // the official's: once it keys records
      namespaceWideEvents(config, changecast, rawPartitions).ifPresent(routerFacing::add);
    }
    for (ConfigProblem problem : routerFacing) {
      if (seen.add(problem.key())) {
        problems.add(problem);
      }
    }
    return problems;
  }

  private void topicNames(List<ConfigProblem> problems, Values v) {
    if (!DEFAULT_TOPIC_MAPPER.equals(v.get("topic.mapper", DEFAULT_TOPIC_MAPPER).trim())) {
      return; // names of a custom mapper cannot be checked offline (a warning of the policy)
    }
    String prefix = v.get("topic.prefix", "");
    String separator = v.get("topic.separator", ".");
    String suffix = v.get("topic.suffix", "");
    String pattern = rawTopicPattern.pattern();
    if (!matches(RawTopicNames.of(prefix, ".", suffix, "db", "coll"))) {
      problems.add(
          ConfigProblem.error(
              "topic.prefix",
              v.raw("topic.prefix"),
              "a prefix whose topics match the router's raw.topic.pattern "
                  + pattern
                  + ", e.g. \"changecast.raw\"",
              "raw topics would be named "
                  + RawTopicNames.of(prefix, separator, suffix, "<db>", "<collection>")));
    } else if (!matches(RawTopicNames.of(prefix, separator, suffix, "db", "coll"))) {
      problems.add(
          ConfigProblem.error(
              "topic.separator",
              v.raw("topic.separator"),
              "a separator whose topics match the router's raw.topic.pattern " + pattern,
              "raw topics would be named "
                  + RawTopicNames.of(prefix, separator, suffix, "<db>", "<collection>")));
    }
    String namespaceMap = v.raw("topic.namespace.map");
    if (namespaceMap != null && !namespaceMap.isBlank()) {
      namespaceMap(problems, namespaceMap, separator);
    }
  }

  private void namespaceMap(List<ConfigProblem> problems, String json, String separator) {
    JsonNode map;
    try {
      map = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      return; // the official validation reports malformed JSON
    }
    if (map == null || !map.isObject()) {
      return;
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      String namespace = entry.getKey();
      String target = entry.getValue().asText();
      // A database entry maps to a topic prefix; a db.collection entry to the whole topic name.
      String topic = namespace.contains(".") ? target : target + separator + "coll";
      if (!matches(topic)) {
        problems.add(
            ConfigProblem.error(
                "topic.namespace.map",
                namespace + " -> " + target,
                "topics matching the router's raw.topic.pattern " + rawTopicPattern.pattern(),
                "the router would never read namespace " + namespace));
      }
    }
  }

  /**
   * The raw topics' partition count is the router's {@code raw.partitions}; above 1 the records are
   * keyed by tenant ({@link TenantKeyTransform}), and a tenant read from documents needs the
   * pre-images that name a delete's tenant.
   */
  private void partitions(List<ConfigProblem> problems, Map<String, String> config) {
    String partitions = config.get(PARTITIONS);
    String expected = Integer.toString(rawPartitions);
    if (!expected.equals(partitions == null ? null : partitions.trim())) {
      problems.add(
          ConfigProblem.error(
              PARTITIONS,
              partitions,
              "\"" + expected + "\", the router's " + RawPartitions.CONFIG_KEY,
              rawPartitions == 1
                  ? "one partition keeps a change stream's total order, so each tenant's events"
                      + " reach the router in write order; unset, the broker's num.partitions"
                      + " applies"
                  : "partition p of every raw topic must hold the same tenants; unset, the"
                      + " broker's num.partitions applies"));
      return;
    }
    if (rawPartitions == 1) {
      return;
    }
    Optional<TenantKeyTransform> keying = TenantKeyTransform.of(config);
    if (keying.isEmpty()) {
      problems.add(
          ConfigProblem.error(
              "transforms",
              config.get("transforms"),
              "a "
                  + TenantHeader.Value.class.getName()
                  + " transform with key=true (field="
                  + RawPartitions.DATABASE_FIELD
                  + " for database, field="
                  + RawPartitions.COLLECTION_FIELD
                  + " with prefix.separator for collection-prefix)",
              "with "
                  + rawPartitions
                  + " partitions each tenant's records must be keyed by the tenant; the router"
                  + " dead-letters records outside their tenant's partition"));
      return;
    }
    TenantKeyTransform transform = keying.get();
    String preImages = config.getOrDefault(PRE_IMAGES, "default").trim();
    if (transform.readsDocuments()
        && (!transform.readsPreImages() || !preImages.equals("required"))) {
      problems.add(
          ConfigProblem.error(
              transform.readsPreImages()
                  ? PRE_IMAGES
                  : "transforms." + transform.alias() + ".field",
              transform.readsPreImages()
                  ? config.get(PRE_IMAGES)
                  : String.join(",", transform.fields()),
              transform.readsPreImages()
                  ? "\"required\""
                  : "fullDocument.<path>,fullDocumentBeforeChange.<path>",
              "a delete names its tenant only in its pre-image; without pre-images a field:"
                  + " tenant cannot key every record, so keep "
                  + PARTITIONS
                  + "=1 and the router's "
                  + RawPartitions.CONFIG_KEY
                  + "=1"));
    }
  }

  /**
   * Namespace-wide events (drop, rename, dropDatabase, invalidate, history lost) name no tenant
   * that could key them. On tenant-partitioned raw topics ({@code rawPartitions} above 1) every
   * router task must see each of them: Changecast's source connector writes each once to every
   * partition when its {@value ChangecastSourceConfig#RAW_PARTITIONS_CONFIG} is the router's {@code
   * raw.partitions}. The official connector writes each once, to the partition of its key: safe
   * only when every event is keyed by its database ({@code field=ns.db}, the {@code database}
   * strategy), where a namespace-wide event names its tenant too.
   *
   * @param changecast whether the config runs Changecast's source connector (with its defaults
   *     applied), else the official one
   * @return the problem, or empty when every router task will see every namespace-wide event
   */
  public static Optional<ConfigProblem> namespaceWideEvents(
      Map<String, String> config, boolean changecast, int rawPartitions) {
    if (changecast) {
      String key = ChangecastSourceConfig.RAW_PARTITIONS_CONFIG;
      int broadcast;
      try {
        broadcast = ChangecastSourceConfig.parseRawPartitions(config.get(key));
      } catch (org.apache.kafka.common.config.ConfigException e) {
        return Optional.empty(); // the ConfigDef's error
      }
      if (broadcast == rawPartitions) {
        return Optional.empty();
      }
      return Optional.of(
          ConfigProblem.error(
              key,
              config.get(key),
              "\"" + rawPartitions + "\", the router's " + RawPartitions.CONFIG_KEY,
              "the connector writes each namespace-wide event (drop, rename, dropDatabase,"
                  + " invalidate, history lost) once to each of its "
                  + broadcast
                  + " partitions, so that every router task resets its own tenants; with the"
                  + " router's "
                  + rawPartitions
                  + " tasks, "
                  + (broadcast < rawPartitions
                      ? "the tenants of the other tasks would get no reset"
                      : "it would write to partitions the raw topics do not have")));
    }
    if (rawPartitions <= 1) {
      return Optional.empty();
    }
    Optional<TenantKeyTransform> keying = TenantKeyTransform.of(config);
    boolean byDatabase =
        keying.isPresent()
            && keying.get().fields().equals(List.of(RawPartitions.DATABASE_FIELD))
            && keying.get().prefixSeparator().isEmpty();
    if (byDatabase) {
      return Optional.empty();
    }
    return Optional.of(
        ConfigProblem.error(
            "connector.class",
            config.get("connector.class"),
            "io.changecast.connector.source.ChangecastSourceConnector with "
                + ChangecastSourceConfig.RAW_PARTITIONS_CONFIG
                + "="
                + rawPartitions,
            "the official connector writes a namespace-wide event (a drop or rename under"
                + " field:, a dropDatabase or invalidate under collection-prefix) once, unkeyed by"
                + " any tenant, to one of the "
                + rawPartitions
                + " partitions, so the tenants of the other router tasks would get no reset;"
                + " Changecast's source connector writes it to every partition. Only keys by"
                + " database (field="
                + RawPartitions.DATABASE_FIELD
                + ") name the tenant of every event"));
  }

  private void heartbeat(List<ConfigProblem> problems, Values v) {
    long interval;
    try {
      interval = Long.parseLong(v.get("heartbeat.interval.ms", "0").trim());
    } catch (NumberFormatException e) {
      return; // the official validation reports it
    }
    String topic = v.get("heartbeat.topic.name", "__mongodb_heartbeats");
    if (interval > 0 && matches(topic)) {
      problems.add(
          ConfigProblem.error(
              "heartbeat.topic.name",
              topic,
              "a topic outside the router's raw.topic.pattern " + rawTopicPattern.pattern(),
              "heartbeats are not change events; the router would dead-letter every one"));
    }
  }

  private boolean matches(String topic) {
    return rawTopicPattern.matcher(topic).matches();
  }

  /** Config values with the official connector's defaults. */
  private record Values(Map<String, String> config) {
    String raw(String key) {
      return config.get(key);
    }

    String get(String key, String officialDefault) {
      String value = config.get(key);
      return value == null ? officialDefault : value;
    }
  }
}
