package io.changecast.connector.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A connector configuration as users deploy it: the JSON body of the Kafka Connect REST API's
 * {@code POST /connectors} ({@code {"name": ..., "config": {...}}}), as kept in {@code
 * connect-configs/}, or the bare {@code config} object of {@code PUT /connectors/{name}/config}.
 *
 * @param name the connector name
 * @param config the connector's configuration, every value a string as Connect expects
 */
public record ConnectorConfigFile(String name, Map<String, String> config) {

  private static final ObjectMapper JSON = new ObjectMapper();

  public ConnectorConfigFile {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("connector config: \"name\" must be a non-empty string");
    }
    config = Map.copyOf(config);
  }

  /**
   * Reads a connector config file: a Connect REST body {@code {"name": ..., "config": {...}}}, or
   * just the {@code config} object (the body of {@code PUT /connectors/{name}/config}), whose name
   * is its {@code name} key, else the file name without {@code .json}.
   *
   * @throws IllegalArgumentException naming the file and what is wrong when it is neither, or a
   *     config value is not a scalar
   */
  public static ConnectorConfigFile read(Path file) {
    JsonNode root;
    try {
      root = JSON.readTree(Files.readString(file));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read connector config " + file, e);
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException(
          file + ": expected a JSON object {\"name\", \"config\"} or a bare config object");
    }
    if (!root.has("config")) {
      Map<String, String> values = values(file, root);
      String name = values.getOrDefault("name", "");
      return new ConnectorConfigFile(name.isBlank() ? stem(file) : name, values);
    }
    JsonNode name = root.path("name");
    if (!name.isTextual() || name.asText().isBlank()) {
      throw new IllegalArgumentException(file + ": \"name\" must be a non-empty string");
    }
    JsonNode config = root.path("config");
    if (!config.isObject()) {
      throw new IllegalArgumentException(file + ": \"config\" must be a JSON object");
    }
    return new ConnectorConfigFile(name.asText(), values(file, config));
  }

  private static Map<String, String> values(Path file, JsonNode config) {
    Map<String, String> values = new LinkedHashMap<>();
    var fields = config.fields();
    while (fields.hasNext()) {
      var field = fields.next();
      if (!field.getValue().isValueNode() || field.getValue().isNull()) {
        throw new IllegalArgumentException(
            file + ": config value \"" + field.getKey() + "\" must be a string, number or boolean");
      }
      values.put(field.getKey(), field.getValue().asText());
    }
    return values;
  }

  private static String stem(Path file) {
    String name = file.getFileName().toString();
    return name.endsWith(".json") ? name.substring(0, name.length() - ".json".length()) : name;
  }

  /** Returns a copy with the given keys replaced (or added); all other values stay as they are. */
  public ConnectorConfigFile withOverrides(Map<String, String> overrides) {
    Map<String, String> merged = new LinkedHashMap<>(config);
    merged.putAll(overrides);
    return new ConnectorConfigFile(name, merged);
  }
}
