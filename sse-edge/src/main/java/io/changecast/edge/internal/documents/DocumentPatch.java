package io.changecast.edge.internal.documents;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Map;

/**
 * Applies an update's description ({@code changes}: {@code truncatedArrays}, then {@code
 * updatedFields}, then {@code removedFields}) to the previous version of a document, as MongoDB
 * applied the update: dotted paths walk objects by field name and arrays by index; a numeric
 * segment on an object is a field name; setting an index past an array's end pads it with nulls;
 * removing an array element sets it to null (MongoDB's {@code $unset} on an element).
 */
public final class DocumentPatch {
  private DocumentPatch() {}

  /** A copy of {@code previous} with {@code changes} applied; {@code previous} is not touched. */
  public static ObjectNode apply(JsonNode previous, JsonNode changes) {
    ObjectNode doc = previous.deepCopy();
    JsonNode truncated = changes.path("truncatedArrays");
    for (JsonNode t : truncated) {
      JsonNode array = resolve(doc, t.path("field").asText());
      int newSize = t.path("newSize").asInt();
      if (array instanceof ArrayNode a) {
        while (a.size() > newSize) {
          a.remove(a.size() - 1);
        }
      }
    }
    JsonNode updated = changes.path("updatedFields");
    for (Iterator<Map.Entry<String, JsonNode>> it = updated.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      set(doc, field.getKey(), field.getValue());
    }
    for (JsonNode removed : changes.path("removedFields")) {
      remove(doc, removed.asText());
    }
    return doc;
  }

  private static JsonNode resolve(JsonNode doc, String path) {
    JsonNode node = doc;
    for (String segment : path.split("\\.", -1)) {
      node = child(node, segment);
      if (node == null) {
        return null;
      }
    }
    return node;
  }

  private static JsonNode child(JsonNode node, String segment) {
    if (node instanceof ObjectNode o) {
      return o.get(segment);
    }
    if (node instanceof ArrayNode a) {
      int index = index(segment);
      return index >= 0 && index < a.size() ? a.get(index) : null;
    }
    return null;
  }

  private static void set(ObjectNode doc, String path, JsonNode value) {
    String[] segments = path.split("\\.", -1);
    JsonNode node = doc;
    for (int i = 0; i < segments.length - 1; i++) {
      JsonNode next = child(node, segments[i]);
      if (next == null || !next.isContainerNode()) {
        next = JsonNodeFactory.instance.objectNode();
        put(node, segments[i], next);
      }
      node = next;
    }
    put(node, segments[segments.length - 1], value.deepCopy());
  }

  private static void put(JsonNode container, String segment, JsonNode value) {
    if (container instanceof ObjectNode o) {
      o.set(segment, value);
    } else if (container instanceof ArrayNode a) {
      int index = index(segment);
      if (index < 0) {
        return; // not an index: MongoDB refuses such an update, nothing to mirror
      }
      while (a.size() <= index) {
        a.addNull();
      }
      a.set(index, value);
    }
  }

  private static void remove(ObjectNode doc, String path) {
    int dot = path.lastIndexOf('.');
    JsonNode parent = dot < 0 ? doc : resolve(doc, path.substring(0, dot));
    String last = path.substring(dot + 1);
    if (parent instanceof ObjectNode o) {
      o.remove(last);
    } else if (parent instanceof ArrayNode a) {
      int index = index(last);
      if (index >= 0 && index < a.size()) {
        a.set(index, JsonNodeFactory.instance.nullNode());
      }
    }
  }

  private static int index(String segment) {
    if (segment.isEmpty() || segment.length() > 9) {
      return -1;
    }
    for (int i = 0; i < segment.length(); i++) {
      if (!Character.isDigit(segment.charAt(i))) {
        return -1;
      }
    }
    return Integer.parseInt(segment);
  }
}
