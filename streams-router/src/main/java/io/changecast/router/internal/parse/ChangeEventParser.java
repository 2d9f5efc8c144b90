package io.changecast.router.internal.parse;

import static io.changecast.router.internal.parse.RawJson.present;
import static io.changecast.router.internal.parse.RawJson.wrongType;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import io.changecast.router.event.ChangeEvent;
import io.changecast.router.event.ChangeEvent.Operation;
import io.changecast.router.event.Envelope;
import io.changecast.router.internal.parse.RawJson.ParseProblem;
import io.changecast.router.metrics.Reason;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Parses the value the MongoSourceConnector writes with {@code output.format.value=json} and the
 * default {@code DefaultJson} formatter (relaxed Extended JSON): a change event of MongoDB's
 * documented shape. Total: every input, including {@code null}, yields a {@link ParseResult}.
 */
final class ChangeEventParser {

  /**
   * The operation types of MongoDB 6+'s expanded events ({@code showExpandedEvents}) that change no
   * document: nothing to route, nothing to dead-letter.
   */
  private static final Set<String> NO_DOCUMENT_CHANGE =
      Set.of(
          "create",
          "createIndexes",
          "dropIndexes",
          "modify",
          "shardCollection",
          "reshardCollection",
          "refineCollectionShardKey");

  private ChangeEventParser() {}

  /**
   * A {@code drop}, {@code rename} (its {@code to} is the target), {@code dropDatabase} (an {@code
   * ns} without {@code coll}) or {@code invalidate} (no {@code ns}).
   */
  private static NamespaceChange namespaceChange(NamespaceChange.Kind kind, JsonNode root) {
    List<NamespaceChange.Namespace> namespaces = new ArrayList<>();
    switch (kind) {
      case DROP -> namespaces.add(namespace(root, "ns", true));
      case RENAME -> {
        namespaces.add(namespace(root, "ns", true));
        namespaces.add(namespace(root, "to", true));
      }
      case DROP_DATABASE -> namespaces.add(namespace(root, "ns", false));
      case INVALIDATE -> {}
    }
    return new NamespaceChange(
        kind, List.copyOf(namespaces), clusterTime(root), present(root.get("_id")));
  }

  private static NamespaceChange.Namespace namespace(
      JsonNode root, String field, boolean withCollection) {
    JsonNode ns = object(root, field, field);
    String db = text(ns, "db", field + ".db");
    return new NamespaceChange.Namespace(
        db, withCollection ? text(ns, "coll", field + ".coll") : null);
  }

  /** Parses one raw value. */
  public static ParseResult parse(String value) {
    return parse(null, value, false);
  }

  /**
   * Parses one raw value; with {@code detectDebezium}, a Debezium envelope is recognised and parsed
   * by {@link DebeziumParser}.
   */
  public static ParseResult parse(String key, String value, boolean detectDebezium) {
    try {
      JsonNode root = RawJson.object(value);
      if (detectDebezium && DebeziumParser.looksLikeDebezium(root)) {
        return DebeziumParser.parse(key, root);
      }
      JsonNode event = unwrapSchema(root);
      String operationType = text(event, "operationType");
      Optional<NamespaceChange.Kind> kind = NamespaceChange.Kind.of(operationType);
      if (kind.isPresent()) {
        return new ParseResult.NamespaceChanged(namespaceChange(kind.get(), event));
      }
      if (NO_DOCUMENT_CHANGE.contains(operationType)) {
        return new ParseResult.Ignored(
            "'" + operationType + "' changes no document (a showExpandedEvents event)");
      }
      return new ParseResult.Parsed(event(event));
    } catch (ParseProblem problem) {
      return problem.invalid();
    }
  }

  /**
   * The official connector's {@code output.format.value=schema} through a JsonConverter with
   * schemas: {@code {"schema": .., "payload": {..}}}, where documents are Extended JSON strings.
   * Returns the payload with those strings parsed; other values as they are.
   */
  private static JsonNode unwrapSchema(JsonNode root) {
    JsonNode payload = root.get("payload");
    if (!root.has("schema") || payload == null || !payload.isObject()) {
      return root;
    }
    com.fasterxml.jackson.databind.node.ObjectNode copy =
        ((com.fasterxml.jackson.databind.node.ObjectNode) payload).deepCopy();
    for (String field :
        new String[] {
          "_id", "fullDocument", "fullDocumentBeforeChange", "documentKey", "clusterTime", "to"
        }) {
      parseString(copy, field);
    }
    if (copy.get("updateDescription") instanceof com.fasterxml.jackson.databind.node.ObjectNode d) {
      parseString(d, "updatedFields");
    }
    JsonNode wallTime = copy.get("wallTime");
    if (wallTime != null && wallTime.isIntegralNumber()) {
      copy.set("wallTime", Json.mapper().createObjectNode().put("$date", wallTime.asLong()));
    }
    return copy;
  }

  private static void parseString(
      com.fasterxml.jackson.databind.node.ObjectNode node, String field) {
    JsonNode value = node.get(field);
    if (value != null && value.isTextual()) {
      try {
        node.set(field, Json.mapper().readTree(value.asText()));
      } catch (JacksonException e) {
        // leave it: the field check reports it
      }
    }
  }

  private static ChangeEvent event(JsonNode root) {
    String operationType = text(root, "operationType");
    Operation operation =
        Operation.fromOperationType(operationType)
            .orElseThrow(
                () ->
                    new ParseProblem(
                        Reason.UNSUPPORTED_OPERATION,
                        "operationType '"
                            + Json.abbreviate(operationType, 50)
                            + "' is not a document change (insert, update, replace, delete) nor"
                            + " drop, rename, dropDatabase or invalidate"));
    JsonNode ns = object(root, "ns", "ns");
    String database = text(ns, "db", "ns.db");
    String collection = text(ns, "coll", "ns.coll");
    JsonNode documentKey = object(root, "documentKey", "documentKey");
    JsonNode document =
        switch (operation) {
          case INSERT, REPLACE -> object(root, "fullDocument", "fullDocument");
          case UPDATE -> optionalObject(root, "fullDocument");
          case DELETE -> null;
        };
    Envelope.Changes changes = operation == Operation.UPDATE ? changes(root) : null;
    return new ChangeEvent(
        operation,
        database,
        collection,
        documentKey,
        document,
        changes,
        clusterTime(root),
        wallTime(root),
        present(root.get("_id")),
        operation == Operation.INSERT ? null : optionalObject(root, "fullDocumentBeforeChange"));
  }

  private static Envelope.Changes changes(JsonNode root) {
    JsonNode description = optionalObject(root, "updateDescription");
    if (description == null) {
      return null;
    }
    JsonNode updated = present(description.get("updatedFields"));
    JsonNode removed = present(description.get("removedFields"));
    JsonNode truncated = present(description.get("truncatedArrays"));
    if (updated != null && !updated.isObject()) {
      throw wrongType("updateDescription.updatedFields", "an object", updated);
    }
    if (removed != null && !removed.isArray()) {
      throw wrongType("updateDescription.removedFields", "an array", removed);
    }
    if (truncated != null && !truncated.isArray()) {
      throw wrongType("updateDescription.truncatedArrays", "an array", truncated);
    }
    var mapper = Json.mapper();
    return new Envelope.Changes(
        updated != null ? updated : mapper.createObjectNode(),
        removed != null ? removed : mapper.createArrayNode(),
        truncated != null ? truncated : mapper.createArrayNode());
  }

  /** {@code {"$timestamp": {"t": seconds, "i": increment}}}. */
  private static Envelope.ClusterTime clusterTime(JsonNode root) {
    JsonNode node = present(root.get("clusterTime"));
    if (node == null) {
      return null;
    }
    JsonNode timestamp = node.get("$timestamp");
    if (timestamp == null
        || !timestamp.path("t").canConvertToLong()
        || !timestamp.path("i").canConvertToLong()
        || !timestamp.path("t").isIntegralNumber()
        || !timestamp.path("i").isIntegralNumber()) {
      throw wrongType("clusterTime", "{\"$timestamp\": {\"t\": <number>, \"i\": <number>}}", node);
    }
    return new Envelope.ClusterTime(timestamp.get("t").asLong(), timestamp.get("i").asLong());
  }

  /** {@code {"$date": <millis> | "<ISO-8601>" | {"$numberLong": "<millis>"}}}. */
  private static Long wallTime(JsonNode root) {
    JsonNode node = present(root.get("wallTime"));
    if (node == null) {
      return null;
    }
    Long millis = node.isObject() ? dateMillis(node.get("$date")) : null;
    if (millis == null) {
      throw wrongType(
          "wallTime",
          "{\"$date\": <millis> | \"<ISO-8601>\" | {\"$numberLong\": \"<millis>\"}}",
          node);
    }
    return millis;
  }

  private static Long dateMillis(JsonNode date) {
    if (date == null) {
      return null;
    }
    if (date.isIntegralNumber() && date.canConvertToLong()) {
      return date.asLong();
    }
    if (date.isTextual()) {
      try {
        return OffsetDateTime.parse(date.asText()).toInstant().toEpochMilli();
      } catch (DateTimeParseException | ArithmeticException e) {
        return null;
      }
    }
    if (date.isObject() && date.size() == 1 && date.path("$numberLong").isTextual()) {
      try {
        return Long.parseLong(date.get("$numberLong").asText());
      } catch (NumberFormatException e) {
        return null;
      }
    }
    return null;
  }

  private static String text(JsonNode parent, String field) {
    return text(parent, field, field);
  }

  private static String text(JsonNode parent, String field, String path) {
    JsonNode node = present(parent.get(field));
    if (node == null) {
      throw new ParseProblem(Reason.MISSING_FIELD, "missing field '" + path + "'");
    }
    if (!node.isTextual()) {
      throw wrongType(path, "a string", node);
    }
    return node.asText();
  }

  private static JsonNode object(JsonNode parent, String field, String path) {
    JsonNode node = present(parent.get(field));
    if (node == null) {
      throw new ParseProblem(Reason.MISSING_FIELD, "missing field '" + path + "'");
    }
    if (!node.isObject()) {
      throw wrongType(path, "an object", node);
    }
    return node;
  }

  private static JsonNode optionalObject(JsonNode parent, String field) {
    JsonNode node = present(parent.get(field));
    if (node != null && !node.isObject()) {
      throw wrongType(field, "an object or null", node);
    }
    return node;
  }
}
