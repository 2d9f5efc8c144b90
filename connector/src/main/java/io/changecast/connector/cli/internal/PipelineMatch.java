package io.changecast.connector.cli.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Evaluates the {@code $match} stages of a source connector's {@code pipeline} against an insert
 * event, for dry runs. Understands equality, {@code $regex}, {@code $in}, {@code $nin}, {@code
 * $ne}, {@code $exists}, {@code $not}, {@code $and} and {@code $or} on {@code ns.db}, {@code
 * ns.coll}, {@code operationType} and {@code fullDocument.*}; anything else makes the answer
 * unknown (empty).
 */
final class PipelineMatch {

  private static final ObjectMapper JSON = new ObjectMapper();

  private PipelineMatch() {}

  /** Whether the insert of {@code document} into {@code db.coll} passes; empty when unknown. */
  static Optional<Boolean> matches(String pipeline, String db, String coll, JsonNode document) {
    if (pipeline == null || pipeline.isBlank()) {
      return Optional.of(true);
    }
    JsonNode stages;
    try {
      stages = JSON.readTree(pipeline);
    } catch (IOException e) {
      return Optional.empty();
    }
    if (stages == null || !stages.isArray()) {
      return Optional.empty();
    }
    var event = JSON.createObjectNode();
    event.put("operationType", "insert");
    event.putObject("ns").put("db", db).put("coll", coll);
    event.set("fullDocument", document);
    for (JsonNode stage : stages) {
      JsonNode match = stage.get("$match");
      if (match == null) {
        continue; // other stages ($project, $addFields) do not filter
      }
      Optional<Boolean> result = query(match, event);
      if (result.isEmpty() || !result.get()) {
        return result;
      }
    }
    return Optional.of(true);
  }

  private static Optional<Boolean> query(JsonNode query, JsonNode event) {
    if (!query.isObject()) {
      return Optional.empty();
    }
    boolean all = true;
    for (Iterator<Map.Entry<String, JsonNode>> it = query.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      Optional<Boolean> r =
          switch (e.getKey()) {
            case "$and" -> combine(e.getValue(), event, true);
            case "$or" -> combine(e.getValue(), event, false);
            default ->
                e.getKey().startsWith("$")
                    ? Optional.empty()
                    : condition(path(event, e.getKey()), e.getValue());
          };
      if (r.isEmpty()) {
        return r;
      }
      all &= r.get();
    }
    return Optional.of(all);
  }

  private static Optional<Boolean> combine(JsonNode clauses, JsonNode event, boolean and) {
    if (!clauses.isArray()) {
      return Optional.empty();
    }
    boolean result = and;
    for (JsonNode clause : clauses) {
      Optional<Boolean> r = query(clause, event);
      if (r.isEmpty()) {
        return r;
      }
      result = and ? result && r.get() : result || r.get();
    }
    return Optional.of(result);
  }

  private static Optional<Boolean> condition(JsonNode value, JsonNode condition) {
    if (!condition.isObject()
        || condition.isEmpty()
        || !condition.fieldNames().next().startsWith("$")) {
      return Optional.of(value != null && value.equals(condition));
    }
    boolean all = true;
    for (Iterator<Map.Entry<String, JsonNode>> it = condition.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode arg = e.getValue();
      boolean r;
      switch (e.getKey()) {
        case "$eq" -> r = value != null && value.equals(arg);
        case "$ne" -> r = value == null || !value.equals(arg);
        case "$exists" -> r = (value != null) == arg.asBoolean();
        case "$in", "$nin" -> {
          if (!arg.isArray()) {
            return Optional.empty();
          }
          boolean in = false;
          for (JsonNode candidate : arg) {
            in |= value != null && value.equals(candidate);
          }
          r = e.getKey().equals("$in") == in;
        }
        case "$regex" -> {
          String options = condition.path("$options").asText("");
          int flags = options.contains("i") ? Pattern.CASE_INSENSITIVE : 0;
          r =
              value != null
                  && value.isTextual()
                  && Pattern.compile(arg.asText(), flags).matcher(value.asText()).find();
        }
        case "$options" -> r = true;
        case "$not" -> {
          Optional<Boolean> inner = condition(value, arg);
          if (inner.isEmpty()) {
            return inner;
          }
          r = !inner.get();
        }
        default -> {
          return Optional.empty();
        }
      }
      all &= r;
    }
    return Optional.of(all);
  }

  private static JsonNode path(JsonNode event, String dotted) {
    JsonNode node = event;
    for (String segment : dotted.split("\\.")) {
      if (node == null || !node.isObject()) {
        return null;
      }
      node = node.get(segment);
    }
    return node;
  }
}
