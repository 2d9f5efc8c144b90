package io.changecast.connector.config.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.changecast.connector.config.ConfigProblem;
import io.changecast.connector.source.ChangecastSourceConfig;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What Changecast needs from a {@code MongoSourceConnector} config. Defaults are the official
 * connector's, so an unset key is judged by the value it falls back to.
 */
public final class SourceChecks {

  /** The converter the router needs on both key and value. */
  /** The converter the router needs: the connector's JSON passed through as text. */
  public static final String STRING_CONVERTER = ChangecastSourceConfig.STRING_CONVERTER;

  private static final String DEFAULT_JSON =
      "com.mongodb.kafka.connect.source.json.formatter.DefaultJson";
  private static final String DEFAULT_TOPIC_MAPPER =
      "com.mongodb.kafka.connect.source.topic.mapping.DefaultTopicMapper";
  private static final Set<String> POST_IMAGE_MODES =
      Set.of("updateLookup", "whenAvailable", "required");

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Pattern rawTopicPattern;

  public SourceChecks(Pattern rawTopicPattern) {
    this.rawTopicPattern = rawTopicPattern;
  }

  /** Problems of {@code config}, skipping keys the official validation already flagged. */
  public List<ConfigProblem> check(Map<String, String> config, Set<String> alreadyFlagged) {
    List<ConfigProblem> problems = new ArrayList<>();
    Values v = new Values(config);

    expect(
        problems,
        v,
        "output.format.value",
        "json",
        "json",
        "the router parses each raw record's value as a JSON change event");
    expect(
        problems,
        v,
        "output.format.key",
        "json",
        "json",
        "with a string converter a schema key would be written as a Struct's toString()");
    converter(problems, v, "key.converter");
    converter(problems, v, "value.converter");
    expect(
        problems,
        v,
        "change.stream.document.key.as.key",
        "true",
        "true",
        "keys each event by its documentKey, so the router can trace deletes to their tenant");
    expect(
        problems,
        v,
        "errors.tolerance",
        "none",
        "none",
        "with \"all\" the connector skips what it cannot read, a lost resume token included,"
            + " and no subscriber hears of it");
    if (config.containsKey("mongo.errors.tolerance")) {
      expect(
          problems,
          v,
          "mongo.errors.tolerance",
          "none",
          "none",
          "it overrides errors.tolerance for the MongoDB source");
    }
    expect(
        problems,
        v,
        "publish.full.document.only",
        "false",
        "false",
        "the router needs the whole change event: operationType, ns, documentKey");
    topicNames(problems, v);
    heartbeat(problems, v);
    String partitions = config.get("topic.creation.default.partitions");
    if (!"1".equals(partitions == null ? null : partitions.trim())) {
      problems.add(
          ConfigProblem.error(
              "topic.creation.default.partitions",
              partitions,
              "\"1\"",
              "one partition keeps a change stream's total order, so each tenant's events reach"
                  + " the router in write order; unset, the broker's num.partitions applies"));
    }
    String fullDocument = v.get("change.stream.full.document", "");
    if (!POST_IMAGE_MODES.contains(fullDocument)) {
      problems.add(
          ConfigProblem.warning(
              "change.stream.full.document",
              config.get("change.stream.full.document"),
              "\"updateLookup\"",
              "without it update events carry no document, so envelopes of updates have none"));
    }
    String formatter = v.get("output.json.formatter", DEFAULT_JSON);
    if (!DEFAULT_JSON.equals(formatter)) {
      problems.add(
          ConfigProblem.warning(
              "output.json.formatter",
              formatter,
              "\"" + DEFAULT_JSON + "\"",
              "the router reads DefaultJson's Extended JSON ($date, $oid, $timestamp)"));
    }
    problems.removeIf(p -> alreadyFlagged.contains(p.key()));
    return problems;
  }

  private void topicNames(List<ConfigProblem> problems, Values v) {
    String mapper = v.get("topic.mapper", DEFAULT_TOPIC_MAPPER);
    if (!DEFAULT_TOPIC_MAPPER.equals(mapper)) {
      problems.add(
          ConfigProblem.warning(
              "topic.mapper",
              mapper,
              "\"" + DEFAULT_TOPIC_MAPPER + "\"",
              "raw topic names of a custom mapper cannot be checked offline"));
      return;
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

  private static void converter(List<ConfigProblem> problems, Values v, String key) {
    String found = v.raw(key);
    if (!STRING_CONVERTER.equals(found == null ? null : found.trim())) {
      problems.add(
          ConfigProblem.error(
              key,
              found,
              "\"" + STRING_CONVERTER + "\"",
              found == null
                  ? "set it on the connector, or the worker's default converter applies"
                  : "the connector already writes JSON text; the router reads it as is"));
    }
  }

  private static void expect(
      List<ConfigProblem> problems,
      Values v,
      String key,
      String officialDefault,
      String expected,
      String reason) {
    String effective = v.get(key, officialDefault).trim();
    if (!effective.equalsIgnoreCase(expected)) {
      problems.add(ConfigProblem.error(key, v.raw(key), "\"" + expected + "\"", reason));
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
