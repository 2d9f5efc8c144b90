package io.changecast.connector.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.changecast.connector.config.ChangecastConfigValidator;
import io.changecast.connector.config.ConfigProblem;
import io.changecast.connector.config.ConnectorConfigFile;
import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The root docker-compose.yml and its deploy/ assets agree with each other and with the code. */
class ComposeFileTest {

  private static final Path ROOT = Path.of("..");
  private static final YAMLMapper YAML = new YAMLMapper();
  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode services;

  @BeforeAll
  static void parse() throws IOException {
    services = YAML.readTree(Files.readString(ROOT.resolve("docker-compose.yml"))).path("services");
  }

  @Test
  void declaresTheWholePipeline() {
    List<String> names = new ArrayList<>();
    services.fieldNames().forEachRemaining(names::add);

    assertThat(names)
        .containsExactlyInAnyOrder(
            "mongo",
            "mongo-init",
            "kafka",
            "connect",
            "connect-register",
            "router",
            "edge",
            "prometheus",
            "grafana");
  }

  /** The router and edge images are the ones {@code -Pimages} builds (jib, see the poms). */
  @Test
  void routerAndEdgeImagesAreTheOnesTheImagesProfileBuilds() throws IOException {
    String version = pomValue(ROOT.resolve("pom.xml"), "version");
    for (Map.Entry<String, String> service :
        Map.of("router", "streams-router", "edge", "sse-edge").entrySet()) {
      Path pom = ROOT.resolve(service.getValue()).resolve("pom.xml");
      assertThat(pomValue(pom, "images.skip")).isEqualTo("false");
      String built = pomValue(pom, "images.name").replace("${project.version}", version);

      assertThat(services.path(service.getKey()).path("image").asText())
          .as(service.getKey() + " image vs " + pom)
          .isEqualTo(built)
          .isEqualTo("changecast/" + service.getValue() + ":" + version);
    }
  }

  /** The text of the first element {@code name} of a pom (properties and the project version). */
  private static String pomValue(Path pom, String name) throws IOException {
    String xml = Files.readString(pom);
    int start = xml.indexOf("<" + name + ">");
    assertThat(start).as(name + " in " + pom).isNotNegative();
    start += name.length() + 2;
    if (name.equals("version")) { // the project's version, after the parent block
      int afterParent = xml.indexOf("</parent>");
      int from = Math.max(afterParent, xml.indexOf("<artifactId>"));
      start = xml.indexOf("<version>", from) + "<version>".length();
    }
    return xml.substring(start, xml.indexOf("</", start)).trim();
  }

  @Test
  void dependenciesNameDeclaredServices() {
    services
        .fields()
        .forEachRemaining(
            service -> {
              JsonNode deps = service.getValue().path("depends_on");
              List<String> names = new ArrayList<>();
              if (deps.isArray()) {
                deps.forEach(d -> names.add(d.asText()));
              } else {
                deps.fieldNames().forEachRemaining(names::add);
              }
              assertThat(names).allSatisfy(n -> assertThat(services.has(n)).as(n).isTrue());
            });
  }

  @Test
  void publishedHostPortsAreUnique() {
    Map<String, String> owners = new HashMap<>();
    services
        .fields()
        .forEachRemaining(
            service ->
                service
                    .getValue()
                    .path("ports")
                    .forEach(
                        p -> {
                          String host = p.asText().split(":")[0];
                          assertThat(owners.put(host, service.getKey()))
                              .as("host port " + host)
                              .isNull();
                        }));
    assertThat(owners).containsKeys("27017", "29092", "8083", "8080", "9090", "3000");
  }

  @Test
  void bindMountedFilesExistExceptThePluginBuildOutput() {
    services
        .fields()
        .forEachRemaining(
            service ->
                service
                    .getValue()
                    .path("volumes")
                    .forEach(
                        v -> {
                          String source = v.asText().split(":")[0];
                          if (source.startsWith("./")) {
                            if (source.equals("./connector/target/changecast-connect-plugin")) {
                              return; // built by `mvn package` (maven-assembly, see pom.xml)
                            }
                            assertThat(ROOT.resolve(source)).as(source).exists();
                          }
                        }));
  }

  @Test
  void everyBootstrapAddressIsTheKafkaServicesAdvertisedListener() throws IOException {
    String advertised = env("kafka", "KAFKA_ADVERTISED_LISTENERS");
    assertThat(advertised).contains("PLAINTEXT://kafka:9092");
    assertThat(env("kafka", "KAFKA_LISTENERS")).contains("PLAINTEXT://:9092");

    assertThat(env("router", "CHANGECAST_ROUTER_BOOTSTRAP_SERVERS")).isEqualTo("kafka:9092");
    assertThat(env("edge", "CHANGECAST_EDGE_BOOTSTRAP_SERVERS")).isEqualTo("kafka:9092");
    assertThat(workerProperties().getProperty("bootstrap.servers")).isEqualTo("kafka:9092");
  }

  @Test
  void serviceEnvironmentUsesEachComponentsOwnPrefix() {
    services
        .path("router")
        .path("environment")
        .fieldNames()
        .forEachRemaining(name -> assertThat(name).startsWith("CHANGECAST_ROUTER_"));
    services
        .path("edge")
        .path("environment")
        .fieldNames()
        .forEachRemaining(name -> assertThat(name).startsWith("CHANGECAST_EDGE_"));
  }

  @Test
  void theRegisteredConnectorConfigExistsIsValidAndPointsAtTheComposeReplicaSet()
      throws IOException {
    String inContainer = env("connect-register", "CHANGECAST_CONNECTOR_CONFIG");
    String mountTarget = mountTarget("connect-register", "./connect-configs");
    assertThat(inContainer).startsWith(mountTarget + "/");
    Path file =
        ROOT.resolve("connect-configs").resolve(inContainer.substring(mountTarget.length() + 1));
    assertThat(file).exists();

    ConnectorConfigFile config = ConnectorConfigFile.read(file);
    List<ConfigProblem> errors =
        ChangecastConfigValidator.withDefaults().validate(config).stream()
            .filter(ConfigProblem::isError)
            .toList();
    assertThat(errors).isEmpty();

    URI uri = URI.create(config.config().get("connection.uri"));
    assertThat(uri.getHost()).isEqualTo("mongo");
    List<String> mongod = new ArrayList<>();
    services.path("mongo").path("command").forEach(c -> mongod.add(c.asText()));
    assertThat(mongod).containsSubsequence("--port", String.valueOf(uri.getPort()));
    assertThat(mongod).containsSubsequence("--replSet", "rs0");
    assertThat(uri.getQuery()).contains("replicaSet=rs0");
    String init = services.path("mongo-init").path("command").toString();
    assertThat(init).contains("_id: 'rs0'").contains("host: 'mongo:" + uri.getPort() + "'");

    assertThat(env("connect-register", "CHANGECAST_CONNECT_URL"))
        .isEqualTo("http://connect:" + workerProperties().getProperty("rest.advertised.port"));
    assertThat(services.path("connect").path("ports").get(0).asText()).endsWith(":8083");
  }

  @Test
  void theWorkerLoadsThePluginDirectoryFromItsMount() throws IOException {
    String pluginMount = mountTarget("connect", "./connector/target/changecast-connect-plugin");
    assertThat(workerProperties().getProperty("plugin.path")).isEqualTo(pluginMount);
    assertThat(workerProperties().getProperty("listeners")).isEqualTo("http://0.0.0.0:8083");

    String registerMount =
        mountTarget("connect-register", "./connector/target/changecast-connect-plugin");
    String script = Files.readString(ROOT.resolve("deploy/connect/register.sh"));
    assertThat(script)
        .contains(registerMount + "/changecast-connector/lib/*")
        .contains("io.changecast.connector.cli.ChangecastConnect");
  }

  @Test
  void prometheusScrapesTheEdgesMetricsPort() throws IOException {
    JsonNode prometheus =
        YAML.readTree(Files.readString(ROOT.resolve("deploy/prometheus/prometheus.yml")));
    JsonNode job = prometheus.path("scrape_configs").get(0);
    String edgeContainerPort = services.path("edge").path("ports").get(0).asText().split(":")[1];

    assertThat(job.path("metrics_path").asText()).isEqualTo("/metrics");
    assertThat(job.path("static_configs").get(0).path("targets").get(0).asText())
        .isEqualTo("edge:" + edgeContainerPort);
    assertThat(mountTarget("prometheus", "./deploy/prometheus/prometheus.yml"))
        .isEqualTo("/etc/prometheus/prometheus.yml");
  }

  @Test
  void grafanaProvisionsThePrometheusDatasourceAndTheDashboard() throws IOException {
    JsonNode datasources =
        YAML.readTree(
            Files.readString(
                ROOT.resolve("deploy/grafana/provisioning/datasources/prometheus.yml")));
    JsonNode datasource = datasources.path("datasources").get(0);
    String prometheusPort = services.path("prometheus").path("ports").get(0).asText().split(":")[1];
    assertThat(datasource.path("url").asText()).isEqualTo("http://prometheus:" + prometheusPort);

    JsonNode providers =
        YAML.readTree(
            Files.readString(
                ROOT.resolve("deploy/grafana/provisioning/dashboards/changecast.yml")));
    String dashboardsPath =
        providers.path("providers").get(0).path("options").path("path").asText();
    assertThat(mountTarget("grafana", "./deploy/grafana/dashboards")).isEqualTo(dashboardsPath);
    assertThat(mountTarget("grafana", "./deploy/grafana/provisioning"))
        .isEqualTo("/etc/grafana/provisioning");

    JsonNode dashboard =
        JSON.readTree(
            Files.readString(ROOT.resolve("deploy/grafana/dashboards/changecast-pipeline.json")));
    assertThat(dashboard.path("panels")).isNotEmpty();
    dashboard
        .path("panels")
        .forEach(
            panel -> {
              assertThat(panel.path("datasource").path("uid").asText())
                  .isEqualTo(datasource.path("uid").asText());
              assertThat(panel.path("targets").get(0).path("expr").asText()).isNotBlank();
            });
    assertThat(dashboard.path("panels").toString()).contains("job=\\\"changecast-edge\\\"");
    assertThat(
            YAML.readTree(Files.readString(ROOT.resolve("deploy/prometheus/prometheus.yml")))
                .path("scrape_configs")
                .get(0)
                .path("job_name")
                .asText())
        .isEqualTo("changecast-edge");
  }

  private static String env(String service, String name) {
    JsonNode value = services.path(service).path("environment").path(name);
    assertThat(value.isValueNode()).as(service + " env " + name).isTrue();
    return value.asText();
  }

  /** The container path a host path is mounted at in {@code service}. */
  private static String mountTarget(String service, String source) {
    for (JsonNode volume : services.path(service).path("volumes")) {
      String[] parts = volume.asText().split(":");
      if (parts[0].equals(source)) {
        return parts[1];
      }
    }
    throw new AssertionError(service + " does not mount " + source);
  }

  private static Properties workerProperties() throws IOException {
    Properties p = new Properties();
    p.load(
        new StringReader(
            Files.readString(ROOT.resolve("deploy/connect/connect-distributed.properties"))));
    return p;
  }
}
