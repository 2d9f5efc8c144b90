package io.changecast.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.changecast.connector.config.ConnectorConfigFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The Strimzi {@code KafkaConnector} resources of {@code strimzi/connectors/}, one per shipped
 * connector config of {@code connect-configs/} (the examples are not shipped), generated from it so
 * that they cannot drift: the connector's name, {@code connector.class} as {@code class}, {@code
 * tasks.max} as {@code tasksMax} (Strimzi refuses both in {@code config}) and every other key as it
 * is. The connector the compose deployment registers ({@code docker-compose.yml}'s {@code
 * connect-register}) is {@code running}; the others are created {@code stopped} (they watch
 * overlapping databases or write to another MongoDB: choose by setting {@code state}).
 */
final class KafkaConnectorFiles {

  static final Path CONFIGS = Path.of("..", "..", "connect-configs");
  static final Path COMPOSE = Path.of("..", "..", "docker-compose.yml");
  static final Path DIR = Path.of("strimzi", "connectors");

  /** The KafkaConnect resource of strimzi/kafka-connect.yaml. */
  static final String CLUSTER = "changecast-connect";

  /** Strimzi restarts a failed connector or task with a growing back-off, this many times. */
  static final int MAX_RESTARTS = 10;

  /** Config keys that are the KafkaConnector's own fields, not {@code config}. */
  static final Set<String> LIFTED = Set.of("name", "connector.class", "tasks.max");

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ObjectMapper YAML =
      new ObjectMapper(
          YAMLFactory.builder()
              .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
              .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
              .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
              .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
              .build());

  private KafkaConnectorFiles() {}

  /** connect-configs/*.json, by name. */
  static List<Path> shippedConfigs() throws IOException {
    try (Stream<Path> files = Files.list(CONFIGS)) {
      return files.filter(f -> f.getFileName().toString().endsWith(".json")).sorted().toList();
    }
  }

  /** The file of the KafkaConnector generated from {@code config}. */
  static Path resourceFile(Path config) {
    String stem = config.getFileName().toString().replaceFirst("\\.json$", "");
    return DIR.resolve(stem + ".yaml");
  }

  /** The file name of the connector config the compose deployment registers. */
  static String registeredByCompose() throws IOException {
    JsonNode compose = new ObjectMapper(new YAMLFactory()).readTree(COMPOSE.toFile());
    String path =
        compose
            .path("services")
            .path("connect-register")
            .path("environment")
            .path("CHANGECAST_CONNECTOR_CONFIG")
            .asText();
    if (path.isEmpty()) {
      throw new IllegalStateException("docker-compose.yml: connect-register names no config");
    }
    return Path.of(path).getFileName().toString();
  }

  /** The KafkaConnector resource for one connector config file, as YAML. */
  static String generate(Path config) throws IOException {
    ConnectorConfigFile file = ConnectorConfigFile.read(config);
    JsonNode root = JSON.readTree(config.toFile());
    JsonNode values = root.has("config") ? root.path("config") : root;
    boolean running = config.getFileName().toString().equals(registeredByCompose());

    ObjectNode resource = JSON.createObjectNode();
    resource.put("apiVersion", "kafka.strimzi.io/v1");
    resource.put("kind", "KafkaConnector");
    ObjectNode metadata = resource.putObject("metadata");
    metadata.put("name", file.name());
    metadata.putObject("labels").put("strimzi.io/cluster", CLUSTER);
    ObjectNode spec = resource.putObject("spec");
    spec.put("class", file.config().get("connector.class"));
    spec.put("tasksMax", Integer.parseInt(file.config().getOrDefault("tasks.max", "1")));
    spec.put("state", running ? "running" : "stopped");
    ObjectNode autoRestart = spec.putObject("autoRestart");
    autoRestart.put("enabled", true);
    autoRestart.put("maxRestarts", MAX_RESTARTS);
    ObjectNode out = spec.putObject("config");
    values
        .fields()
        .forEachRemaining(
            e -> {
              if (!LIFTED.contains(e.getKey())) {
                out.put(e.getKey(), file.config().get(e.getKey()));
              }
            });
    return "# Generated from connect-configs/"
        + config.getFileName()
        + " by KafkaConnectorFilesTest: do not edit. After\n"
        + "# changing that file: ./mvnw -B -pl deploy/kubernetes -am test"
        + " -Dtest=KafkaConnectorFilesTest\n"
        + "# -Dsurefire.failIfNoSpecifiedTests=false -Dkubernetes.regenerate=true\n"
        + YAML.writeValueAsString(resource);
  }
}
