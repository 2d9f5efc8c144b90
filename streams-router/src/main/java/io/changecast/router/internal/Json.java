package io.changecast.router.internal;

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

  /** {@code text} cut to at most {@code max} characters, for logs and headers. */
  public static String abbreviate(String text, int max) {
    return text.length() <= max ? text : text.substring(0, max) + "…";
  }
}
