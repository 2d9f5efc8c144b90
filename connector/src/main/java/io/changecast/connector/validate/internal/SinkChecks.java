package io.changecast.connector.validate.internal;

import io.changecast.connector.config.ConfigProblem;
import io.changecast.contract.Topics;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * What Changecast expects of a {@code MongoSinkConnector} config that copies routed topics ({@code
 * changecast.events}, {@code changecast.type.<type>}) into another MongoDB: routed topics (or raw
 * topics with the change-stream CDC handler), JSON text converters, and no silently dropped
 * records.
 */
public final class SinkChecks {

  private static final String JSON_CONVERTER = "org.apache.kafka.connect.json.JsonConverter";
  private static final String DEFAULT_ID_STRATEGY =
      "com.mongodb.kafka.connect.sink.processor.id.strategy.BsonOidStrategy";

  private final Pattern rawTopicPattern;

  public SinkChecks(Pattern rawTopicPattern) {
    this.rawTopicPattern = rawTopicPattern;
  }

  /** Problems of {@code config}, skipping keys the official validation already flagged. */
  public List<ConfigProblem> check(Map<String, String> config, Set<String> alreadyFlagged) {
    List<ConfigProblem> problems = new ArrayList<>();
    boolean cdc = !config.getOrDefault("change.data.capture.handler", "").isBlank();
    String topics = config.get("topics");
    String regex = config.get("topics.regex");
    boolean readsEvents = false;
    if (topics != null && !topics.isBlank()) {
      for (String topic : Arrays.stream(topics.split(",")).map(String::trim).toList()) {
        readsEvents |= topic.equals(Topics.EVENTS);
        if (!isRouted(topic) && !(cdc && rawTopicPattern.matcher(topic).matches())) {
          problems.add(topicProblem("topics", topic, cdc));
        }
      }
    } else if (regex != null && !regex.isBlank()) {
      Pattern pattern;
      try {
        pattern = Pattern.compile(regex);
      } catch (PatternSyntaxException e) {
        pattern = null;
        problems.add(
            ConfigProblem.error(
                "topics.regex", regex, "a Java regular expression", e.getDescription()));
      }
      if (pattern != null) {
        readsEvents = pattern.matcher(Topics.EVENTS).matches();
        boolean routed = readsEvents || pattern.matcher(Topics.TYPE_PREFIX + "t").matches();
        boolean raw = pattern.matcher("changecast.raw.db.coll").matches();
        if (raw && !cdc) {
          problems.add(topicProblem("topics.regex", regex, false));
        } else if (!routed && !raw) {
          problems.add(topicProblem("topics.regex", regex, cdc));
        }
      }
    } else {
      problems.add(
          ConfigProblem.error(
              "topics",
              null,
              "the routed topics to copy, e.g. \"changecast.events\" (or topics.regex)",
              "a sink reads nothing without them"));
    }
    converter(problems, config, "key.converter");
    converter(problems, config, "value.converter");
    if ("all".equalsIgnoreCase(config.getOrDefault("errors.tolerance", "none").trim())
        && config.getOrDefault("errors.deadletterqueue.topic.name", "").isBlank()) {
      problems.add(
          ConfigProblem.error(
              "errors.deadletterqueue.topic.name",
              null,
              "a dead letter topic when errors.tolerance is \"all\"",
              "otherwise records the sink cannot write are dropped without a trace"));
    }
    String idStrategy = config.getOrDefault("document.id.strategy", DEFAULT_ID_STRATEGY);
    if (readsEvents && !cdc && DEFAULT_ID_STRATEGY.equals(idStrategy.trim())) {
      problems.add(
          ConfigProblem.warning(
              "document.id.strategy",
              config.get("document.id.strategy"),
              "an _id derived from the envelope, e.g. PartialValueStrategy on tenant and id",
              "with a fresh ObjectId every redelivered event becomes a duplicate document"));
    }
    problems.removeIf(p -> alreadyFlagged.contains(p.key()));
    return problems;
  }

  private static boolean isRouted(String topic) {
    return topic.equals(Topics.EVENTS)
        || (topic.startsWith(Topics.TYPE_PREFIX) && topic.length() > Topics.TYPE_PREFIX.length());
  }

  private ConfigProblem topicProblem(String key, String found, boolean cdc) {
    return ConfigProblem.error(
        key,
        found,
        "routed topics (\"changecast.events\" or \"changecast.type.<type>\")"
            + (cdc ? " or raw topics matching " + rawTopicPattern.pattern() : ""),
        cdc
            ? "the sink copies Changecast's output"
            : "raw topics hold change events, not documents; copy them only with"
                + " change.data.capture.handler");
  }

  private static void converter(
      List<ConfigProblem> problems, Map<String, String> config, String key) {
    String found = config.get(key);
    String trimmed = found == null ? null : found.trim();
    boolean schemaless =
        JSON_CONVERTER.equals(trimmed)
            && "false".equalsIgnoreCase(config.getOrDefault(key + ".schemas.enable", "true"));
    if (!SourceChecks.STRING_CONVERTER.equals(trimmed) && !schemaless) {
      problems.add(
          ConfigProblem.error(
              key,
              found,
              "\"" + SourceChecks.STRING_CONVERTER + "\"",
              "routed records are JSON text keyed by tenant"
                  + (found == null ? "; unset, the worker's default converter applies" : "")));
    }
  }
}
