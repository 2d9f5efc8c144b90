package io.changecast.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.changecast.connector.config.ConnectorConfigFile;
import io.changecast.kubernetes.StrictModels.Parsed;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every manifest of {@code strimzi/} parsed strictly ({@link StrictModels}) into Strimzi's
 * published model ({@code io.strimzi:api}, whose classes are Java 21: this test runs on a Java 21
 * or later JVM, see the module's pom) and, for the ConfigMap, fabric8's; then the models read back:
 * each KafkaConnector of a shipped connector config carries that config's class, tasks and every
 * other key unchanged (as {@link ConnectorConfigFile} reads it) and none of the keys Strimzi
 * refuses in {@code config}, for the KafkaConnect resource that manages connectors as resources.
 */
class StrimziResourcesTest {

  private static final Path DIR = Path.of("strimzi");

  @Test
  void everyManifestParsesStrictlyIntoThePublishedModels() throws Exception {
    List<Parsed> all = parseAll();

    assertThat(all)
        .extracting(Parsed::kind)
        .containsOnly("ConfigMap", "KafkaConnect", "KafkaConnector")
        .containsOnlyOnce("KafkaConnect");
    assertThat(all.stream().filter(p -> p.kind().equals("KafkaConnector")))
        .hasSize(KafkaConnectorFiles.shippedConfigs().size());
  }

  @Test
  void eachKafkaConnectorIsItsConnectorConfigForTheKafkaConnectCluster() throws Exception {
    Map<String, Parsed> connectors = new HashMap<>();
    Object connect = null;
    for (Parsed p : parseAll()) {
      if (p.kind().equals("KafkaConnector")) {
        connectors.put(p.name(), p);
      } else if (p.kind().equals("KafkaConnect")) {
        connect = p.model();
      }
    }
    assertThat(connect).isNotNull();
    assertThat(get(connect, "getMetadata", "getAnnotations"))
        .isEqualTo(Map.of("strimzi.io/use-connector-resources", "true"));
    String cluster = (String) get(connect, "getMetadata", "getName");
    Class<?> spec = Class.forName("io.strimzi.api.kafka.model.connector.AbstractConnectorSpec");
    List<String> forbidden =
        Arrays.asList(((String) spec.getField("FORBIDDEN_PARAMETERS").get(null)).split(",\\s*"));
    assertThat(forbidden).contains("connector.class", "tasks.max");

    for (Path file : KafkaConnectorFiles.shippedConfigs()) {
      ConnectorConfigFile expected = ConnectorConfigFile.read(file);
      Parsed parsed = connectors.get(expected.name());
      assertThat(parsed).as("a KafkaConnector named " + expected.name()).isNotNull();
      Object model = parsed.model();

      assertThat(get(model, "getMetadata", "getLabels"))
          .isEqualTo(Map.of("strimzi.io/cluster", cluster));
      assertThat(get(model, "getSpec", "getClassName"))
          .isEqualTo(expected.config().get("connector.class"));
      assertThat(get(model, "getSpec", "getTasksMax"))
          .isEqualTo(Integer.valueOf(expected.config().get("tasks.max")));
      Map<String, String> config = new HashMap<>(expected.config());
      config.keySet().removeAll(forbidden);
      assertThat(get(model, "getSpec", "getConfig")).as(file.toString()).isEqualTo(config);
      assertThat(get(model, "getSpec", "getAutoRestart", "isEnabled")).isEqualTo(true);
      // Strimzi's ConnectorState: running / stopped in YAML
      assertThat(((Enum<?>) get(model, "getSpec", "getState")).name())
          .isEqualTo(
              file.getFileName().toString().equals(KafkaConnectorFiles.registeredByCompose())
                  ? "RUNNING"
                  : "STOPPED");
    }
  }

  @Test
  void theKafkaConnectConfigHoldsNothingStrimziRefuses() throws Exception {
    Object connect =
        parseAll().stream()
            .filter(p -> p.kind().equals("KafkaConnect"))
            .findFirst()
            .orElseThrow()
            .model();
    Class<?> spec = Class.forName("io.strimzi.api.kafka.model.connect.KafkaConnectSpec");
    List<String> prefixes =
        Arrays.asList(((String) spec.getField("FORBIDDEN_PREFIXES").get(null)).split(",\\s*"));
    List<String> exceptions =
        Arrays.asList(
            ((String) spec.getField("FORBIDDEN_PREFIX_EXCEPTIONS").get(null)).split(",\\s*"));
    @SuppressWarnings("unchecked")
    Map<String, Object> config = (Map<String, Object>) get(connect, "getSpec", "getConfig");

    assertThat(config)
        .isNotEmpty()
        .allSatisfy(
            (key, value) ->
                assertThat(exceptions.contains(key) || prefixes.stream().noneMatch(key::startsWith))
                    .as(key + " is set by Strimzi")
                    .isTrue());
    Object artifact = ((List<?>) get(connect, "getSpec", "getBuild", "getPlugins")).get(0);
    Object zip = ((List<?>) get(artifact, "getArtifacts")).get(0);
    assertThat(zip.getClass().getSimpleName()).isEqualTo("ZipArtifact");
  }

  /** The strict parse is not vacuous on Strimzi's model: what the operator would refuse fails. */
  @Test
  void aMissingRequiredFieldOrAnUnknownOneIsRefused() throws Exception {
    String connect = Files.readString(DIR.resolve("kafka-connect.yaml"));
    String connector = Files.readString(DIR.resolve("connectors/app-source.yaml"));

    assertThatThrownBy(
            () -> StrictModels.parseAll(connect.replace("  groupId: changecast-connect\n", "")))
        .hasMessageContaining(".spec.groupId: required");
    assertThatThrownBy(
            () -> StrictModels.parseAll(connector.replace("  tasksMax: 1", "  taskMax: 1")))
        .hasMessageContaining("unknown [taskMax]");
    assertThatThrownBy(
            () -> StrictModels.parseAll(connector.replace("  state: running", "  state: runing")))
        .hasMessageContaining("KafkaConnector changecast-source-app");
  }

  private static List<Parsed> parseAll() throws Exception {
    List<Parsed> all = new ArrayList<>();
    try (Stream<Path> files = Files.walk(DIR)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
        all.addAll(StrictModels.parseFile(file));
      }
    }
    return all;
  }

  /** Follows a chain of getters on a model object (Strimzi's classes are not imported). */
  private static Object get(Object target, String... getters) throws Exception {
    Object value = target;
    for (String getter : getters) {
      Method m = value.getClass().getMethod(getter);
      value = m.invoke(value);
    }
    return value;
  }
}
