package io.changecast.connector.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.changecast.connector.config.ConfigProblem;
import io.changecast.connector.config.ConnectorConfigFile;
import io.changecast.connector.validate.ChangecastConfigValidator;
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

  /** Every Changecast image compose runs is the one {@code -Pimages} builds (jib, see the poms). */
  @Test
  void changecastImagesAreTheOnesTheImagesProfileBuilds() throws IOException {
    assertThat(services.path("router").path("image").asText())
        .isEqualTo(builtImage("streams-router"));
    assertThat(services.path("edge").path("image").asText()).isEqualTo(builtImage("sse-edge"));
    assertThat(services.path("connect").path("image").asText())
        .isEqualTo(builtImage("images/connect"));
    assertThat(services.path("connect-register").path("image").asText())
        .isEqualTo(builtImage("images/connect"));
  }

  /**
   * The stand-ins override swaps the images that cannot be pulled without a registry for ones this
   * repository builds, and changes nothing else.
   */
  @Test
  void theStandInsOverrideOnlySwapsImages() throws IOException {
    JsonNode standins =
        YAML.readTree(Files.readString(ROOT.resolve("docker-compose.standins.yml")))
            .path("services");
    Map<String, String> swapped = new HashMap<>();
    standins
        .fields()
        .forEachRemaining(
            service -> {
              assertThat(services.has(service.getKey())).as(service.getKey()).isTrue();
              List<String> keys = new ArrayList<>();
              service.getValue().fieldNames().forEachRemaining(keys::add);
              assertThat(keys).as(service.getKey()).containsExactly("image");
              swapped.put(service.getKey(), service.getValue().path("image").asText());
            });
    assertThat(swapped)
        .containsEntry("mongo", builtImage("mongo-standin"))
        .containsEntry("mongo-init", builtImage("mongo-standin"))
        .containsEntry("kafka", builtImage("images/kafka"))
        .containsEntry("prometheus", "changecast/prometheus:debian");
    assertThat(Files.readString(ROOT.resolve("deploy/images/build-base-images.sh")))
        .contains("PROMETHEUS=changecast/prometheus:debian");
  }

  /** The image {@code images.name} of the module in {@code dir}, with the versions filled in. */
  private static String builtImage(String dir) throws IOException {
    Path pom = ROOT.resolve(dir).resolve("pom.xml");
    assertThat(pomValue(pom, "images.skip")).as(pom.toString()).isEqualTo("false");
    Path parent = ROOT.resolve("pom.xml");
    return pomValue(pom, "images.name")
        .replace("${project.version}", pomValue(parent, "version"))
        .replace("${kafka.version}", pomValue(parent, "kafka.version"));
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
                          String host = withDefaults(p.asText()).split(":")[0];
                          assertThat(owners.put(host, service.getKey()))
                              .as("host port " + host)
                              .isNull();
                        }));
    assertThat(owners).containsKeys("27017", "29092", "8083", "8080", "9090", "3000");
  }

  @Test
  void bindMountedFilesExist() {
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

    assertThat(workerProperties().getProperty("listeners")).isEqualTo("http://:8083");
    assertThat(env("connect-register", "CHANGECAST_CONNECT_URL")).isEqualTo("http://connect:8083");
    assertThat(withDefaults(services.path("connect").path("ports").get(0).asText()))
        .isEqualTo("8083:8083");
  }

  /** The Connect image holds the plugin directory where the worker properties look for it. */
  @Test
  void theWorkerLoadsThePluginDirectoryTheConnectImageHolds() throws IOException {
    String pom = Files.readString(ROOT.resolve("images/connect/pom.xml"));
    String pluginPath = workerProperties().getProperty("plugin.path");
    assertThat(pluginPath).isEqualTo("/opt/changecast/plugins");
    assertThat(pom)
        .contains("/connector/target/changecast-connect-plugin</from>")
        .contains("<into>" + pluginPath + "</into>");

    List<String> entrypoint = new ArrayList<>();
    services.path("connect-register").path("entrypoint").forEach(e -> entrypoint.add(e.asText()));
    assertThat(entrypoint).containsExactly("/opt/changecast/bin/register.sh");
    String cli =
        Files.readString(
            ROOT.resolve("images/connect/src/main/jib/opt/changecast/bin/changecast-connect"));
    assertThat(cli)
        .contains(pluginPath + "/changecast-connector/lib/*")
        .contains("io.changecast.connector.cli.ChangecastConnect");
    assertThat(Files.readString(ROOT.resolve("deploy/connect/register.sh")))
        .contains("/opt/changecast/bin/changecast-connect");
  }

  /** Prometheus finds every instance of edge, router and Connect on its metrics port. */
  @Test
  void prometheusScrapesEveryInstanceOfEachService() throws IOException {
    JsonNode jobs =
        YAML.readTree(Files.readString(ROOT.resolve("deploy/prometheus/prometheus.yml")))
            .path("scrape_configs");
    Map<String, String> targets = new HashMap<>();
    jobs.forEach(
        job -> {
          assertThat(job.path("metrics_path").asText()).isEqualTo("/metrics");
          JsonNode dns = job.path("dns_sd_configs").get(0);
          assertThat(dns.path("type").asText()).isEqualTo("A");
          targets.put(
              job.path("job_name").asText(),
              dns.path("names").get(0).asText() + ":" + dns.path("port").asText());
        });
    String edgePort =
        withDefaults(services.path("edge").path("ports").get(0).asText()).split(":")[1];
    String routerPom = Files.readString(ROOT.resolve("streams-router/pom.xml"));
    assertThat(routerPom)
        .contains("<CHANGECAST_ROUTER_METRICS_PORT>9464</CHANGECAST_ROUTER_METRICS_PORT>");
    String connectRun =
        Files.readString(
            ROOT.resolve("images/connect/src/main/jib/opt/changecast/bin/connect-run"));
    assertThat(connectRun).contains("CONNECT_METRICS_PORT:-9404");
    assertThat(targets)
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "changecast-edge", "edge:" + edgePort,
                "changecast-router", "router:9464",
                "changecast-connect", "connect:9404"));
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
    // the "up" panel covers the three jobs prometheus.yml scrapes (see the Prometheus test)
    assertThat(dashboard.path("panels").get(0).path("targets").get(0).path("expr").asText())
        .isEqualTo("up{job=~\"changecast-(edge|router|connect)\"}");
  }

  /**
   * A compose value with each {@code ${VAR:-default}} replaced by its default (the scaled-out
   * services' publish specs are variables, see docker-compose.yml).
   */
  private static String withDefaults(String value) {
    return value.replaceAll("\\$\\{[A-Z_]+:-([^}]*)}", "$1");
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
