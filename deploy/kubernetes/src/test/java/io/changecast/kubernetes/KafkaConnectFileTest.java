package io.changecast.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.Reader;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * {@code strimzi/kafka-connect.yaml} against what it must not drift from: the worker settings of
 * {@code deploy/connect/connect-distributed.properties} (the compose deployment's worker), the JMX
 * exporter rules of the {@code changecast/connect} image, and the plugin archive the connector
 * module builds ({@code <owner>-<name>-<version>.zip}, names from the parent pom). Its ConfigMap
 * parses strictly into fabric8's model here; {@link StrimziResourcesTest} parses the Strimzi
 * resources.
 */
class KafkaConnectFileTest {

  static final Path FILE = Path.of("strimzi", "kafka-connect.yaml");
  private static final Path WORKER = Path.of("..", "connect", "connect-distributed.properties");
  private static final Path JMX =
      Path.of(
          "..",
          "..",
          "images",
          "connect",
          "src",
          "main",
          "jib",
          "opt",
          "changecast",
          "jmx",
          "connect.yml");

  /** Worker keys Strimzi sets from spec fields (it refuses them in config), by field. */
  private static final Map<String, String> SPEC_FIELDS =
      Map.of(
          "bootstrap.servers", "bootstrapServers",
          "group.id", "groupId",
          "config.storage.topic", "configStorageTopic",
          "offset.storage.topic", "offsetStorageTopic",
          "status.storage.topic", "statusStorageTopic");

  /** Worker keys that differ on purpose, or that Strimzi owns. */
  private static final List<String> NOT_CARRIED =
      List.of(
          // compose runs one broker; the cluster's brokers have their own default
          "config.storage.replication.factor",
          "offset.storage.replication.factor",
          "status.storage.replication.factor",
          // Strimzi's REST listener and plugin directory
          "listeners",
          "plugin.path");

  @Test
  void theWorkerSettingsAreTheComposeWorkers() throws Exception {
    JsonNode spec = kafkaConnect().path("spec");
    Properties worker = new Properties();
    try (Reader in = Files.newBufferedReader(WORKER)) {
      worker.load(in);
    }

    for (String key : worker.stringPropertyNames()) {
      String value = worker.getProperty(key);
      if (SPEC_FIELDS.containsKey(key)) {
        if (!key.equals("bootstrap.servers")) { // the cluster's bootstrap Service, not compose's
          assertThat(spec.path(SPEC_FIELDS.get(key)).asText()).as(key).isEqualTo(value);
        }
      } else if (NOT_CARRIED.contains(key)) {
        assertThat(spec.path("config").has(key) ? spec.path("config").get(key).asText() : "-1")
            .as(key)
            .isEqualTo("-1");
      } else {
        assertThat(spec.path("config").path(key).asText()).as(key).isEqualTo(value);
      }
    }
    assertThat(spec.path("bootstrapServers").asText()).isNotBlank();
  }

  @Test
  void itBuildsTheWorkerWithThePluginArchiveOfThisVersionAndManagesConnectorsAsResources()
      throws Exception {
    JsonNode connect = kafkaConnect();

    assertThat(connect.path("metadata").path("name").asText())
        .isEqualTo(KafkaConnectorFiles.CLUSTER);
    assertThat(
            connect
                .path("metadata")
                .path("annotations")
                .path("strimzi.io/use-connector-resources")
                .asText())
        .isEqualTo("true");
    JsonNode plugins = connect.path("spec").path("build").path("plugins");
    assertThat(plugins).hasSize(1);
    assertThat(plugins.get(0).path("name").asText())
        .isEqualTo(System.getProperty("plugin.archive.component"));
    JsonNode artifact = plugins.get(0).path("artifacts").get(0);
    assertThat(artifact.path("type").asText()).isEqualTo("zip");
    URI url = URI.create(artifact.path("url").asText());
    assertThat(url.getScheme()).isEqualTo("https");
    assertThat(url.getPath()).endsWith("/" + System.getProperty("plugin.archive.name") + ".zip");
    assertThat(connect.path("spec").path("build").path("output").path("image").asText())
        .endsWith(":" + System.getProperty("project.version"));
  }

  @Test
  void theMetricsConfigMapHoldsTheImagesJmxExporterRules() throws Exception {
    List<StrictModels.Parsed> all = StrictModels.parseAll(withoutStrimzi());
    assertThat(all).hasSize(1);
    io.fabric8.kubernetes.api.model.ConfigMap map =
        (io.fabric8.kubernetes.api.model.ConfigMap) all.get(0).model();
    JsonNode ref =
        kafkaConnect().path("spec").path("metricsConfig").path("valueFrom").path("configMapKeyRef");

    assertThat(map.getMetadata().getName()).isEqualTo(ref.path("name").asText());
    assertThat(map.getData().get(ref.path("key").asText())).isEqualTo(Files.readString(JMX));
  }

  private static JsonNode kafkaConnect() throws Exception {
    return StrictModels.documents(Files.readString(FILE)).stream()
        .filter(d -> d.path("kind").asText().equals("KafkaConnect"))
        .findFirst()
        .orElseThrow();
  }

  /** The file's documents other than Strimzi's, as YAML. */
  private static String withoutStrimzi() throws Exception {
    StringBuilder out = new StringBuilder();
    for (JsonNode doc : StrictModels.documents(Files.readString(FILE))) {
      if (!doc.path("apiVersion").asText().startsWith("kafka.strimzi.io/")) {
        out.append("---\n").append(StrictModels.YAML.writeValueAsString(doc));
      }
    }
    return out.toString();
  }
}
