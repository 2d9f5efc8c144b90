package io.changecast.router.internal.parse;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The router's one Jackson configuration, and JSON helpers. */
public final class Json {

  private static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .build();

  private Json() {}

  /** The shared, thread-safe mapper; do not reconfigure it. */
  public static ObjectMapper mapper() {
    return MAPPER;
  }

  /** A copy of {@code node} with every object's fields sorted by name, at every depth. */
  public static JsonNode canonical(JsonNode node) {
    if (node.isObject()) {
      List<Map.Entry<String, JsonNode>> fields = new ArrayList<>(node.properties());
      fields.sort(Map.Entry.comparingByKey());
      ObjectNode sorted = MAPPER.createObjectNode();
      fields.forEach(field -> sorted.set(field.getKey(), canonical(field.getValue())));
      return sorted;
    }
    if (node.isArray()) {
      var array = MAPPER.createArrayNode();
      node.forEach(element -> array.add(canonical(element)));
      return array;
    }
    return node;
  }

  /**
   * {@code canonical(node).toString()}: compact JSON with every object's fields sorted by name.
   * Trees of objects and strings only (resume tokens, ObjectId keys) are written directly, without
   * copying the tree; anything else goes through {@link #canonical}.
   */
  public static String canonicalString(JsonNode node) {
    if (!objectsAndStrings(node)) {
      return canonical(node).toString();
    }
    StringBuilder out = new StringBuilder(64);
    writeSorted(node, out);
    return out.toString();
  }

  /** Appends {@link #canonicalString} of {@code node} to {@code out}. */
  public static void appendCanonical(JsonNode node, StringBuilder out) {
    if (objectsAndStrings(node)) {
      writeSorted(node, out);
    } else {
      out.append(canonical(node).toString());
    }
  }

  private static boolean objectsAndStrings(JsonNode node) {
    if (node.isTextual()) {
      return true;
    }
    if (!node.isObject()) {
      return false;
    }
    for (JsonNode value : node) {
      if (!objectsAndStrings(value)) {
        return false;
      }
    }
    return true;
  }

  private static void writeSorted(JsonNode node, StringBuilder out) {
    if (node.isTextual()) {
      quote(node.textValue(), out);
      return;
    }
    if (node.size() == 1) { // the usual key, {"_id": ...}: nothing to sort
      Map.Entry<String, JsonNode> field = node.properties().iterator().next();
      out.append('{');
      quote(field.getKey(), out);
      out.append(':');
      writeSorted(field.getValue(), out);
      out.append('}');
      return;
    }
    List<String> names = new ArrayList<>(node.size());
    node.fieldNames().forEachRemaining(names::add);
    names.sort(null);
    out.append('{');
    for (int i = 0; i < names.size(); i++) {
      if (i > 0) {
        out.append(',');
      }
      quote(names.get(i), out);
      out.append(':');
      writeSorted(node.get(names.get(i)), out);
    }
    out.append('}');
  }

  private static void quote(String text, StringBuilder out) {
    out.append('"');
    JsonStringEncoder.getInstance().quoteAsString(text, out);
    out.append('"');
  }

  /** {@code text} cut to at most {@code max} characters, for logs and headers. */
  public static String abbreviate(String text, int max) {
    return text.length() <= max ? text : text.substring(0, max) + "…";
  }
}
