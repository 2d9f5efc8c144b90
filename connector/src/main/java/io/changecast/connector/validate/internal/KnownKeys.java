package io.changecast.connector.validate.internal;

import com.mongodb.kafka.connect.sink.MongoSinkConfig;
import com.mongodb.kafka.connect.source.MongoSourceConfig;
import io.changecast.connector.config.ConfigProblem;
import io.changecast.connector.source.ChangecastSourceConfig;
import io.changecast.connector.transforms.TenantHeader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.runtime.SinkConnectorConfig;
import org.apache.kafka.connect.runtime.SourceConnectorConfig;
import org.apache.kafka.connect.transforms.Transformation;
import org.apache.kafka.connect.transforms.predicates.Predicate;

/**
 * The keys a MongoDB connector config may set, taken from the {@code ConfigDef}s that read them:
 * the official connector's ({@code MongoSourceConfig.CONFIG}, {@code MongoSinkConfig.CONFIG}),
 * Changecast's ({@code ChangecastSourceConfig.CONFIG_DEF}), Kafka Connect's connector-level keys
 * ({@code SourceConnectorConfig}/{@code SinkConnectorConfig}), and the prefixes Connect passes on
 * ({@code transforms.<alias>.}, {@code predicates.<alias>.}, {@code topic.creation.<group>.},
 * client overrides, converter settings). Any other key is ignored by the worker, so a typo silently
 * has no effect: {@link #unknown} reports it, with the nearest known key.
 */
public final class KnownKeys {

  /** Prefixes whose keys Connect hands to a client or converter, which accept any key. */
  private static final List<String> OPEN_PREFIXES =
      List.of(
          "producer.override.",
          "consumer.override.",
          "admin.override.",
          "key.converter.",
          "value.converter.",
          "header.converter.");

  private static final String TRANSFORMS = "transforms";
  private static final String PREDICATES = "predicates";
  private static final String TOPIC_CREATION = "topic.creation.";
  private static final String TOPIC_CREATION_GROUPS =
      SourceConnectorConfig.TOPIC_CREATION_GROUPS_CONFIG;

  private final String connector;
  private final Set<String> keys;
  private final List<String> openPrefixes;

  private KnownKeys(String connector, Set<String> keys, List<String> openPrefixes) {
    this.connector = connector;
    this.keys = Set.copyOf(keys);
    this.openPrefixes = List.copyOf(openPrefixes);
  }

  /** The keys of the official {@code MongoSourceConnector}. */
  public static KnownKeys officialSource() {
    Set<String> keys = new HashSet<>(MongoSourceConfig.CONFIG.names());
    keys.addAll(SourceConnectorConfig.configDef().names());
    return new KnownKeys("MongoSourceConnector", keys, OPEN_PREFIXES);
  }

  /** The keys of {@code ChangecastSourceConnector}: the official ones plus Changecast's. */
  public static KnownKeys changecastSource() {
    Set<String> keys = new HashSet<>(MongoSourceConfig.CONFIG.names());
    keys.addAll(ChangecastSourceConfig.CONFIG_DEF.names());
    keys.addAll(SourceConnectorConfig.configDef().names());
    return new KnownKeys("ChangecastSourceConnector", keys, OPEN_PREFIXES);
  }

  /** The keys of the official {@code MongoSinkConnector}, including per-topic overrides. */
  public static KnownKeys officialSink() {
    Set<String> keys = new HashSet<>(MongoSinkConfig.CONFIG.names());
    keys.addAll(SinkConnectorConfig.configDef().names());
    List<String> open = new ArrayList<>(OPEN_PREFIXES);
    open.add("topic.override.");
    return new KnownKeys("MongoSinkConnector", keys, open);
  }

  /**
   * One error per key of {@code config} that nothing reads, with a "did you mean" if one is near.
   */
  public List<ConfigProblem> unknown(Map<String, String> config) {
    Map<String, String> sorted = new TreeMap<>(config);
    List<ConfigProblem> problems = new ArrayList<>();
    sorted.forEach(
        (key, value) -> {
          if (!isKnown(key, config)) {
            problems.add(problem(key, value, config));
          }
        });
    return problems;
  }

  private ConfigProblem problem(String key, String value, Map<String, String> config) {
    Optional<String> near = Suggestions.nearest(key, candidates(key, config));
    return ConfigProblem.error(
        key,
        value,
        "a key "
            + connector
            + " or Kafka Connect reads"
            + near.map(k -> ", did you mean " + k + "?").orElse(""),
        "unknown key: the worker ignores it, so this setting has no effect");
  }

  private boolean isKnown(String key, Map<String, String> config) {
    if (keys.contains(key) || openPrefixes.stream().anyMatch(key::startsWith)) {
      return true;
    }
    if (key.startsWith(TOPIC_CREATION) && keys.contains(TOPIC_CREATION_GROUPS)) {
      return topicCreationGroups(config).stream()
          .anyMatch(g -> key.startsWith(TOPIC_CREATION + g + "."));
    }
    return pluginKeys(key, config).map(known -> known.contains(key)).orElse(false);
  }

  /**
   * The keys of the {@code transforms.<alias>.} or {@code predicates.<alias>.} block {@code key}
   * belongs to, when its alias is listed: {@code type}, the keys of the plugin's own {@code
   * ConfigDef} when its class is on this classpath, else every key of the block (empty set means
   * unknown alias).
   */
  private static Optional<Set<String>> pluginKeys(String key, Map<String, String> config) {
    for (String list : List.of(TRANSFORMS, PREDICATES)) {
      if (!key.startsWith(list + ".")) {
        continue;
      }
      for (String alias : aliases(config, list)) {
        String prefix = list + "." + alias + ".";
        if (key.startsWith(prefix)) {
          Set<String> known = new HashSet<>();
          known.add(prefix + "type");
          if (list.equals(TRANSFORMS)) {
            known.add(prefix + "predicate");
            known.add(prefix + "negate");
          }
          Optional<ConfigDef> def = pluginConfigDef(config.get(prefix + "type"));
          if (def.isEmpty()) {
            return Optional.empty(); // a plugin this classpath does not have: any key may be its
          }
          def.get().names().forEach(name -> known.add(prefix + name));
          return Optional.of(known);
        }
      }
      return Optional.of(Set.of());
    }
    return Optional.of(Set.of());
  }

  /** The {@code ConfigDef} of a transformation or predicate class, if it can be loaded here. */
  private static Optional<ConfigDef> pluginConfigDef(String type) {
    if (type == null || type.isBlank()) {
      return Optional.of(new ConfigDef());
    }
    String className = type.trim();
    if (className.startsWith(TenantHeader.class.getName() + "$")) {
      return Optional.of(TenantHeader.CONFIG_DEF);
    }
    try {
      Class<?> plugin = Class.forName(className, false, KnownKeys.class.getClassLoader());
      if (!Transformation.class.isAssignableFrom(plugin)
          && !Predicate.class.isAssignableFrom(plugin)) {
        return Optional.empty(); // not a plugin: Connect will say so; nothing is instantiated
      }
      Object instance = plugin.getDeclaredConstructor().newInstance();
      if (instance instanceof Transformation<?> t) {
        return Optional.ofNullable(t.config());
      }
      if (instance instanceof Predicate<?> p) {
        return Optional.ofNullable(p.config());
      }
      return Optional.empty();
    } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** Every key a near miss of {@code key} could have meant. */
  private Set<String> candidates(String key, Map<String, String> config) {
    Set<String> all = new TreeSet<>(keys);
    for (String list : List.of(TRANSFORMS, PREDICATES)) {
      for (String alias : aliases(config, list)) {
        String prefix = list + "." + alias + ".";
        pluginKeys(prefix + "type", config).ifPresent(all::addAll);
      }
    }
    for (String group : topicCreationGroups(config)) {
      if (!keys.contains(TOPIC_CREATION_GROUPS)) {
        break; // a sink creates no topics
      }
      for (String name : List.of("replication.factor", "partitions", "include", "exclude")) {
        all.add(TOPIC_CREATION + group + "." + name);
      }
    }
    return all;
  }

  private static List<String> aliases(Map<String, String> config, String list) {
    String value = config.get(list);
    if (value == null || value.isBlank()) {
      return List.of();
    }
    return Arrays.stream(value.split(",")).map(String::trim).filter(a -> !a.isEmpty()).toList();
  }

  private static List<String> topicCreationGroups(Map<String, String> config) {
    List<String> groups = new ArrayList<>(List.of("default"));
    groups.addAll(aliases(config, TOPIC_CREATION_GROUPS));
    return groups;
  }
}
