package io.changecast.router.internal.parse;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.changecast.contract.ControlTypes;
import io.changecast.contract.HeaderNames;
import io.changecast.router.event.Envelope;
import io.changecast.router.metrics.Reason;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * Control records the changecast connector writes to the raw topics, marked by the header {@value
 * HeaderNames#CONTROL}:
 *
 * <ul>
 *   <li>{@code history-lost}: {@code {"type": "history-lost", "namespaces": [{"db": "app", "coll":
 *       "orders"}, {"db": "billing"}], "clusterTime": {"$timestamp": {"t": .., "i": ..}}}} — the
 *       change stream could not resume; a namespace without {@code coll} is the whole database.
 *   <li>{@code heartbeat}: {@code {"type": "heartbeat", "clusterTime": {...}}} — the source is
 *       alive up to that cluster time; counted, not routed.
 * </ul>
 */
final class Control {

  private Control() {}

  /** The control type named by {@code headers}, or {@code null} for a data record. */
  public static String type(Headers headers) {
    Header header = headers == null ? null : headers.lastHeader(HeaderNames.CONTROL);
    return header == null || header.value() == null
        ? null
        : new String(header.value(), StandardCharsets.UTF_8).trim();
  }

  /** Parses a control record of {@code type}; rejections name the problem. */
  public static Step parse(String type, String raw) {
    if (!type.equals(ControlTypes.HISTORY_LOST) && !type.equals(ControlTypes.HEARTBEAT)) {
      return reject(
          raw,
          Reason.UNSUPPORTED_CONTROL,
          "control type '" + Json.abbreviate(type, 50) + "' is not history-lost or heartbeat");
    }
    JsonNode root;
    try {
      root = raw == null ? null : Json.mapper().readTree(raw);
    } catch (JacksonException e) {
      return reject(raw, Reason.INVALID_CONTROL, Json.abbreviate(e.getOriginalMessage(), 200));
    }
    if (root == null || !root.isObject()) {
      return reject(raw, Reason.INVALID_CONTROL, "expected a JSON object");
    }
    if (!type.equals(root.path("type").asText())) {
      return reject(
          raw,
          Reason.INVALID_CONTROL,
          "field 'type' should be '" + type + "' as the header says, found " + root.get("type"));
    }
    Envelope.ClusterTime clusterTime = clusterTime(root.get("clusterTime"));
    if (type.equals(ControlTypes.HEARTBEAT)) {
      return new Step.Heartbeat(clusterTime);
    }
    JsonNode namespaces = root.get("namespaces");
    if (namespaces == null || !namespaces.isArray() || namespaces.isEmpty()) {
      return reject(raw, Reason.INVALID_CONTROL, "field 'namespaces' should be a non-empty array");
    }
    ArrayNode normalised = Json.mapper().createArrayNode();
    for (JsonNode ns : namespaces) {
      if (!ns.path("db").isTextual()
          || ns.path("db").asText().isEmpty()
          || (ns.has("coll") && !ns.get("coll").isTextual())) {
        return reject(
            raw,
            Reason.INVALID_CONTROL,
            "each namespace should be {\"db\": <string>, \"coll\": <string, optional>}, found "
                + Json.abbreviate(ns.toString(), 80));
      }
      var copy = normalised.addObject().put("db", ns.get("db").asText());
      if (ns.has("coll")) {
        copy.put("coll", ns.get("coll").asText());
      }
    }
    return new Step.HistoryLost(raw, normalised, clusterTime);
  }

  private static Envelope.ClusterTime clusterTime(JsonNode node) {
    JsonNode ts = node == null ? null : node.get("$timestamp");
    if (ts == null || !ts.path("t").isIntegralNumber() || !ts.path("i").isIntegralNumber()) {
      return null;
    }
    return new Envelope.ClusterTime(ts.get("t").asLong(), ts.get("i").asLong());
  }

  private static Step reject(String raw, Reason reason, String detail) {
    return new Step.Rejected(raw, Stage.PARSE, reason, detail);
  }
}
