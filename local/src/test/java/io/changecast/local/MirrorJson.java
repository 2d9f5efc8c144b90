package io.changecast.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import org.bson.Document;
import org.bson.json.JsonMode;
import org.bson.json.JsonWriterSettings;

/**
 * What a client does to its copy of a document, and how two copies are compared: MongoDB documents
 * and envelopes as JSON, numbers compared by value ({@code 5}, {@code 5.0} and {@code
 * {"$numberLong": "5"}} are equal), update descriptions applied as MongoDB defines them.
 */
final class MirrorJson {

  static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final JsonWriterSettings RELAXED =
      JsonWriterSettings.builder().outputMode(JsonMode.RELAXED).build();
  private static final Set<String> NUMBER_WRAPPERS =
      Set.of("$numberInt", "$numberLong", "$numberDouble", "$numberDecimal");

  private MirrorJson() {}

  static JsonNode parse(String json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException("not JSON: " + json, e);
    }
  }

  /** A MongoDB document as the comparable JSON form. */
  static JsonNode of(Document document) {
    return normalize(parse(document.toJson(RELAXED)));
  }

  /**
   * The comparable form: every number (plain or a relaxed Extended JSON wrapper) as a decimal
   * without trailing zeros, recursively; everything else as is.
   */
  static JsonNode normalize(JsonNode node) {
    if (node.isNumber()) {
      return NODES.numberNode(canonical(node.decimalValue()));
    }
    if (node.isObject()) {
      if (node.size() == 1) {
        Map.Entry<String, JsonNode> only = node.fields().next();
        if (NUMBER_WRAPPERS.contains(only.getKey()) && only.getValue().isTextual()) {
          return NODES.numberNode(canonical(new BigDecimal(only.getValue().asText())));
        }
      }
      ObjectNode copy = NODES.objectNode();
      node.fields().forEachRemaining(f -> copy.set(f.getKey(), normalize(f.getValue())));
      return copy;
    }
    if (node.isArray()) {
      ArrayNode copy = NODES.arrayNode();
      node.forEach(e -> copy.add(normalize(e)));
      return copy;
    }
    return node;
  }

  private static BigDecimal canonical(BigDecimal value) {
    BigDecimal stripped = value.stripTrailingZeros();
    return stripped.scale() < 0 ? stripped.setScale(0) : stripped;
  }

  /**
   * {@code previous} with an update description applied ({@code updatedFields} set by dotted path,
   * array indexes included; {@code removedFields} removed; {@code truncatedArrays} cut to {@code
   * newSize}), as MongoDB's change events describe an update.
   */
  static ObjectNode applyChanges(JsonNode previous, JsonNode changes) {
    ObjectNode next = previous.deepCopy();
    for (JsonNode truncated : changes.path("truncatedArrays")) {
      JsonNode array = at(next, truncated.path("field").asText());
      if (array instanceof ArrayNode list) {
        int size = truncated.path("newSize").asInt();
        while (list.size() > size) {
          list.remove(list.size() - 1);
        }
      }
    }
    for (JsonNode removed : changes.path("removedFields")) {
      String path = removed.asText();
      int dot = path.lastIndexOf('.');
      JsonNode parent = dot < 0 ? next : at(next, path.substring(0, dot));
      if (parent instanceof ObjectNode object) {
        object.remove(path.substring(dot + 1));
      }
    }
    Iterator<Map.Entry<String, JsonNode>> updated = changes.path("updatedFields").fields();
    while (updated.hasNext()) {
      Map.Entry<String, JsonNode> field = updated.next();
      set(next, field.getKey().split("\\."), field.getValue());
    }
    return next;
  }

  private static JsonNode at(JsonNode root, String dotted) {
    JsonNode node = root;
    for (String segment : dotted.split("\\.")) {
      node = node.isArray() ? node.path(Integer.parseInt(segment)) : node.path(segment);
    }
    return node;
  }

  private static void set(JsonNode root, String[] path, JsonNode value) {
    JsonNode node = root;
    for (int i = 0; i < path.length; i++) {
      boolean last = i == path.length - 1;
      String segment = path[i];
      if (node instanceof ArrayNode array) {
        int index = Integer.parseInt(segment);
        while (array.size() <= index) {
          array.add(NullNode.getInstance());
        }
        if (last) {
          array.set(index, value.deepCopy());
        } else {
          node = array.get(index);
        }
      } else if (node instanceof ObjectNode object) {
        if (last) {
          object.set(segment, value.deepCopy());
        } else {
          JsonNode child = object.get(segment);
          if (child == null || !child.isContainerNode()) {
            child = object.putObject(segment);
          }
          node = child;
        }
      } else {
        throw new IllegalStateException(
            "cannot set " + String.join(".", path) + " below a " + node.getNodeType());
      }
    }
  }
}
