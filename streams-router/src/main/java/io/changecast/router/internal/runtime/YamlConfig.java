package io.changecast.router.internal.runtime;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads a YAML router config file into the flat keys of a properties file: nested mappings become
 * dotted keys, scalars their text, {@code null} the empty string; lists are rejected.
 */
public final class YamlConfig {

  private static final YAMLMapper YAML =
      YAMLMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

  private YamlConfig() {}

  /**
   * The flattened keys of {@code file}.
   *
   * @throws IllegalArgumentException naming the file for an unreadable or malformed file, a root
   *     that is not a mapping, a list value or a key given twice
   */
  public static Map<String, String> read(Path file) {
    JsonNode root;
    try (InputStream in = Files.newInputStream(file)) {
      root = YAML.readTree(in);
    } catch (JacksonException e) {
      throw new IllegalArgumentException(
          "Cannot parse router config file " + file + " as YAML: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "Cannot read router config file " + file + ": " + e.getMessage(),
          new UncheckedIOException(e));
    }
    Map<String, String> values = new LinkedHashMap<>();
    if (root == null || root.isMissingNode() || root.isNull()) {
      return values; // an empty file
    }
    if (!root.isObject()) {
      throw new IllegalArgumentException(
          "Router config file " + file + " must hold a YAML mapping of keys to values");
    }
    flatten("", root, file, values);
    return values;
  }

  private static void flatten(String prefix, JsonNode node, Path file, Map<String, String> out) {
    for (Map.Entry<String, JsonNode> field : node.properties()) {
      String key = prefix + field.getKey();
      JsonNode value = field.getValue();
      if (value.isObject() && !value.isEmpty()) {
        flatten(key + ".", value, file, out);
      } else if (value.isArray()) {
        throw new IllegalArgumentException(
            "Router config '"
                + key
                + "' in "
                + file
                + " is a list; give a single value (a string, number or boolean)");
      } else if (value.isObject()) {
        throw new IllegalArgumentException(
            "Router config '" + key + "' in " + file + " is an empty mapping; give a value");
      } else {
        String text = value.isNull() ? "" : value.asText();
        if (out.putIfAbsent(key, text) != null) {
          throw new IllegalArgumentException("Router config '" + key + "' is set twice in " + file);
        }
      }
    }
  }
}
