package io.changecast.router.internal.parse;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.changecast.router.event.ChangeEvent;
import io.changecast.router.event.ChangeEvent.Operation;
import io.changecast.router.event.Envelope;
import io.changecast.router.internal.parse.RawJson.ParseProblem;
import io.changecast.router.metrics.Reason;

/**
 * Parses the Debezium MongoDB connector's change event envelope: {@code {"op": "c|r|u|d", "after":
 * "<Extended JSON string>", "before": .., "updateDescription": {"updatedFields": "<JSON string>",
 * "removedFields": [..], "truncatedArrays": [..]}, "source": {"db", "collection", "ts_ms", "ord",
 * ..}, "ts_ms": ..}}}, bare or wrapped in {@code {"schema": .., "payload": ..}} (JsonConverter with
 * schemas). {@code r} (snapshot read) is an insert. The document key is the {@code _id} of {@code
 * after}/{@code before}, else the record key's {@code id} ({@code {"id": "<JSON>"}}). The cluster
 * time is {@code {t: source.ts_ms / 1000, i: source.ord}}; the dedupe identity is built from the
 * source position, the document key and the operation. Total, like {@link ChangeEventParser}; the
 * value is read by {@link RawJson}, so a fault of the JSON itself has the same reason either way.
 */
final class DebeziumParser {

  private DebeziumParser() {}

  /** Whether {@code root} looks like a Debezium envelope (bare or with schema). */
  public static boolean looksLikeDebezium(JsonNode root) {
    JsonNode body = body(root);
    return body.path("op").isTextual() && body.path("source").isObject();
  }

  private static JsonNode body(JsonNode root) {
    JsonNode payload = root.get("payload");
    return payload != null && payload.isObject() ? payload : root;
  }

  /** Parses one record of a Debezium topic. */
  public static ParseResult parse(String key, String value) {
    try {
      return parse(key, RawJson.object(value));
    } catch (ParseProblem problem) {
      return problem.invalid();
    }
  }

  static ParseResult parse(String key, JsonNode root) {
    try {
      return event(key, body(root));
    } catch (ParseProblem problem) {
      return problem.invalid();
    }
  }

  private static ParseResult event(String key, JsonNode body) {
    String op = body.path("op").asText("");
    Operation operation =
        switch (op) {
          case "c", "r" -> Operation.INSERT;
          case "u" -> Operation.UPDATE;
          case "d" -> Operation.DELETE;
          default -> null;
        };
    if (operation == null) {
      return invalid(
          op.isEmpty() ? Reason.MISSING_FIELD : Reason.UNSUPPORTED_OPERATION,
          op.isEmpty()
              ? "missing field 'op'"
              : "Debezium op '" + Json.abbreviate(op, 20) + "' is not c, r, u or d");
    }
    JsonNode source = body.path("source");
    String database = source.path("db").asText("");
    String collection = source.path("collection").asText("");
    if (database.isEmpty() || collection.isEmpty()) {
      return invalid(Reason.MISSING_FIELD, "missing field 'source.db' or 'source.collection'");
    }
    JsonNode after = document(body.get("after"), "after");
    JsonNode before = document(body.get("before"), "before");
    if (operation == Operation.INSERT && after == null) {
      return invalid(Reason.MISSING_FIELD, "missing field 'after' on op " + op);
    }
    JsonNode id = after != null ? after.get("_id") : before != null ? before.get("_id") : null;
    if (id == null) {
      id = keyId(key);
    }
    if (id == null) {
      return invalid(
          Reason.MISSING_FIELD, "no document key: no _id in after/before and no key field 'id'");
    }
    ObjectNode documentKey = Json.mapper().createObjectNode().set("_id", id);
    Envelope.Changes changes = null;
    if (operation == Operation.UPDATE) {
      JsonNode description = body.get("updateDescription");
      if (description != null && description.isObject()) {
        JsonNode updated =
            document(description.get("updatedFields"), "updateDescription.updatedFields");
        var mapper = Json.mapper();
        changes =
            new Envelope.Changes(
                updated != null ? updated : mapper.createObjectNode(),
                description.path("removedFields").isArray()
                    ? description.get("removedFields")
                    : mapper.createArrayNode(),
                description.path("truncatedArrays").isArray()
                    ? description.get("truncatedArrays")
                    : mapper.createArrayNode());
      }
    }
    long tsMs = source.path("ts_ms").asLong(body.path("ts_ms").asLong(0));
    Envelope.ClusterTime clusterTime =
        source.has("ts_ms")
            ? new Envelope.ClusterTime(tsMs / 1000, source.path("ord").asLong(0))
            : null;
    Long wallTime =
        source.path("wallTime").canConvertToLong()
            ? Long.valueOf(source.get("wallTime").asLong())
            : source.has("ts_ms") ? Long.valueOf(tsMs) : null;
    ObjectNode identity = Json.mapper().createObjectNode();
    identity.put("dbz", source.path("ts_ms").asText(""));
    identity.put("ord", source.path("ord").asText(""));
    identity.put("txn", source.path("txnNumber").asText(""));
    identity.put("lsid", source.path("lsid").asText(""));
    identity.set("key", documentKey);
    identity.put("op", op);
    return new ParseResult.Parsed(
        new ChangeEvent(
            operation,
            database,
            collection,
            documentKey,
            operation == Operation.DELETE ? null : after,
            changes,
            clusterTime,
            wallTime,
            identity,
            before));
  }

  /** A document given as an Extended JSON string or an object; {@code null} when absent. */
  private static JsonNode document(JsonNode node, String field) {
    if (node == null || node.isNull()) {
      return null;
    }
    if (node.isObject()) {
      return node;
    }
    if (node.isTextual()) {
      try {
        JsonNode parsed = Json.mapper().readTree(node.asText());
        if (parsed != null && parsed.isObject()) {
          return parsed;
        }
      } catch (JacksonException e) {
        // fall through
      }
    }
    throw RawJson.wrongType(field, "a JSON document (or a string holding one)", node);
  }

  private static JsonNode keyId(String key) {
    if (key == null) {
      return null;
    }
    try {
      JsonNode root = Json.mapper().readTree(key);
      JsonNode id = root == null ? null : body(root).get("id");
      if (id == null) {
        return null;
      }
      if (id.isTextual()) {
        try {
          return Json.mapper().readTree(id.asText());
        } catch (JacksonException e) {
          return id; // a plain string id
        }
      }
      return id;
    } catch (JacksonException e) {
      return null;
    }
  }

  private static ParseResult invalid(Reason reason, String detail) {
    return new ParseResult.Invalid(reason, detail);
  }
}
