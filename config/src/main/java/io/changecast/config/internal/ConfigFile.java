package io.changecast.config.internal;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.changecast.config.InvalidConfigException;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * Reads a config file into flat keys: a properties file as it is, a file named {@code *.yaml} or
 * {@code *.yml} as YAML, whose nested mappings become dotted keys, scalars their text and {@code
 * null} the empty string; lists, empty mappings and a key given twice are refused.
 */
public final class ConfigFile {

  private static final YAMLMapper YAML =
      YAMLMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

  private ConfigFile() {}

  /**
   * The keys of {@code file} for application {@code app} (named in errors).
   *
   * @throws IllegalArgumentException naming the file: unreadable, malformed, or a YAML value that
   *     is no single value
   */
  public static Map<String, String> read(String app, Path file) {
    return isYaml(file) ? yaml(app, file) : properties(app, file);
  }

  /** What {@code file} is called in errors: {@code file <path>}. */
  public static String origin(Path file) {
    return "file " + file;
  }

  private static boolean isYaml(Path file) {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    return name.endsWith(".yaml") || name.endsWith(".yml");
  }

  private static Map<String, String> properties(String app, Path file) {
    Properties properties = new Properties();
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      properties.load(reader);
    } catch (IOException e) {
      throw unreadable(app, file, e);
    }
    Map<String, String> values = new LinkedHashMap<>();
    properties
        .stringPropertyNames()
        .forEach(name -> values.put(name, properties.getProperty(name)));
    return values;
  }

  private static Map<String, String> yaml(String app, Path file) {
    JsonNode root;
    try (InputStream in = Files.newInputStream(file)) {
      root = YAML.readTree(in);
    } catch (JacksonException e) {
      throw new IllegalArgumentException(
          "Cannot parse " + app + " config file " + file + " as YAML: " + e.getOriginalMessage(),
          e);
    } catch (IOException e) {
      throw unreadable(app, file, e);
    }
    Map<String, String> values = new LinkedHashMap<>();
    if (root == null || root.isMissingNode() || root.isNull()) {
      return values; // an empty file
    }
    if (!root.isObject()) {
      throw new IllegalArgumentException(
          "Cannot read " + app + " config file " + file + ": expected a YAML mapping of keys");
    }
    flatten(app, "", root, file, values);
    return values;
  }

  private static void flatten(
      String app, String prefix, JsonNode node, Path file, Map<String, String> out) {
    for (Map.Entry<String, JsonNode> field : node.properties()) {
      String key = prefix + field.getKey();
      JsonNode value = field.getValue();
      if (value.isObject() && !value.isEmpty()) {
        flatten(app, key + ".", value, file, out);
      } else if (value.isContainerNode()) {
        throw InvalidConfigException.of(
                app, key, value, "expected a single value (a string, number or boolean)")
            .withOrigin(origin(file));
      } else {
        String text = value.isNull() ? "" : value.asText();
        if (out.putIfAbsent(key, text) != null) {
          throw InvalidConfigException.of(app, key, text, "it is set twice in this file")
              .withOrigin(origin(file));
        }
      }
    }
  }

  private static IllegalArgumentException unreadable(String app, Path file, IOException e) {
    return new IllegalArgumentException(
        "Cannot read " + app + " config file " + file + ": " + e, new UncheckedIOException(e));
  }
}
