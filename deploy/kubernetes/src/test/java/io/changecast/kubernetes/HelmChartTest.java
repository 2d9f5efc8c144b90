package io.changecast.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import io.changecast.edge.ChangecastEdge;
import io.changecast.edge.auth.AuthMode;
import io.changecast.edge.config.EdgeConfig;
import io.changecast.kubernetes.StrictModels.Parsed;
import io.changecast.router.config.RouterConfig;
import io.changecast.router.internal.runtime.MetricsServer;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBackend;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.openshift.api.model.monitoring.v1.Endpoint;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;

/**
 * The Helm chart {@code helm/changecast}, linted ({@code helm lint --strict}) and rendered by Helm
 * itself (helm-java embeds Helm's library) with its default values and with overrides; every
 * rendered object parses strictly into fabric8's Kubernetes model ({@link StrictModels}); the
 * probes, Services, ServiceMonitors and PDBs point at the ports and paths the router and the edge
 * really serve; and the environment the chart gives each container is accepted by the service's own
 * configuration loader ({@link RouterConfig#load}, {@link EdgeConfig#load}), which rejects unknown
 * {@code CHANGECAST_*} keys and bad values as the service would at start.
 */
class HelmChartTest {

  private static final Path CHART = Path.of("helm", "changecast");
  private static final String RELEASE = "cc";
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @Test
  void helmLintStrictFindsNothing() {
    LintResult lint = new Helm(CHART.toAbsolutePath()).lint().strict().call();

    assertThat(lint.getMessages()).noneMatch(m -> m.contains("[WARNING]") || m.contains("[ERROR]"));
    assertThat(lint.isFailed()).as(String.join("\n", lint.getMessages())).isFalse();
  }

  @Test
  void theDefaultsRenderTheRouterTheEdgeAndWhatServesThem() throws Exception {
    Rendered r = render(Map.of());

    assertThat(r.kindsAndNames())
        .containsExactlyInAnyOrder(
            "Deployment/cc-changecast-router",
            "Deployment/cc-changecast-edge",
            "Service/cc-changecast-router",
            "Service/cc-changecast-edge",
            "Ingress/cc-changecast-edge",
            "PodDisruptionBudget/cc-changecast-router",
            "PodDisruptionBudget/cc-changecast-edge",
            "ServiceMonitor/cc-changecast-router",
            "ServiceMonitor/cc-changecast-edge");

    Deployment router = r.deployment("router");
    assertThat(router.getSpec().getReplicas()).isEqualTo(2);
    // no two router versions side by side (README "Upgrading the router")
    assertThat(router.getSpec().getStrategy().getType()).isEqualTo("Recreate");
    RouterConfig routerConfig = RouterConfig.load(Optional.empty(), env(container(router)));
    assertThat(routerConfig.bootstrapServers()).isEqualTo("changecast-kafka-bootstrap:9092");
    assertThat(routerConfig.metricsHost()).isEqualTo("0.0.0.0");
    assertThat(routerConfig.metricsPort()).isEqualTo(9464);
    assertThat(routerConfig.streamsProperties()).containsEntry("session.timeout.ms", "10000");
    assertProbes(container(router), routerConfig.metricsPort());
    // the state directory is a volume of its own, not the read-only root file system
    assertThat(container(router).getVolumeMounts())
        .anyMatch(m -> Path.of(m.getMountPath()).equals(routerConfig.stateDir()));
    assertThat(container(router).getSecurityContext().getReadOnlyRootFilesystem()).isTrue();

    Deployment edge = r.deployment("edge");
    assertThat(edge.getSpec().getReplicas()).isEqualTo(2);
    assertThat(edge.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable())
        .isEqualTo(new IntOrString(0));
    EdgeConfig edgeConfig = EdgeConfig.load(Optional.empty(), env(container(edge)));
    assertThat(edgeConfig.httpHost()).isEqualTo("0.0.0.0");
    assertThat(edgeConfig.httpPort()).isEqualTo(8080);
    assertThat(edgeConfig.authMode()).isEqualTo(AuthMode.NONE);
    assertThat(edgeConfig.sseMaxStreamsPerTenant()).isEqualTo(10000);
    // a restarted container resumes from its state (fixed id, state on the pod's volume)
    assertThat(edgeConfig.applicationIdSet()).isTrue();
    assertThat(container(edge).getVolumeMounts())
        .anyMatch(m -> Path.of(m.getMountPath()).equals(edgeConfig.stateDir().orElseThrow()));
    assertThat(container(edge).getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertProbes(container(edge), edgeConfig.httpPort());

    for (Deployment d : List.of(router, edge)) {
      Map<String, Quantity> requests = container(d).getResources().getRequests();
      assertThat(requests).containsKeys("cpu", "memory");
      assertThat(container(d).getResources().getLimits()).containsKey("memory");
      assertThat(d.getSpec().getTemplate().getSpec().getSecurityContext().getRunAsUser())
          .isEqualTo(10001L);
    }

    assertServicesAndMonitorsReachTheRealPorts(r);
    assertBudgetsSelectTheirPods(r);

    Ingress ingress = r.one(Ingress.class);
    assertThat(ingress.getSpec().getIngressClassName()).isEqualTo("nginx");
    assertThat(ingress.getMetadata().getAnnotations())
        .containsEntry("nginx.ingress.kubernetes.io/proxy-buffering", "off")
        .containsEntry("nginx.ingress.kubernetes.io/proxy-read-timeout", "3600")
        .containsEntry("nginx.ingress.kubernetes.io/proxy-send-timeout", "3600")
        .containsEntry("nginx.ingress.kubernetes.io/proxy-http-version", "1.1")
        .containsEntry("nginx.ingress.kubernetes.io/limit-connections", "100");
    IngressBackend backend =
        ingress.getSpec().getRules().get(0).getHttp().getPaths().get(0).getBackend();
    Service edgeService = r.service("edge");
    assertThat(backend.getService().getName()).isEqualTo(edgeService.getMetadata().getName());
    assertThat(edgeService.getSpec().getPorts())
        .extracting(ServicePort::getName)
        .contains(backend.getService().getPort().getName());
  }

  @Test
  void overriddenValuesReachTheObjectsAndTheServicesConfiguration() throws Exception {
    Map<String, Object> values = new LinkedHashMap<>();
    values.put("kafka.bootstrapServers", "kafka-a:9093,kafka-b:9093");
    values.put("image.registry", "registry.example.com/");
    values.put("image.tag", "1.2.3");
    values.put("router.replicas", 3);
    values.put("router.metricsPort", 9500);
    values.put("router.env.CHANGECAST_ROUTER_TENANT_STRATEGY", "database");
    values.put("router.resources.limits.memory", "3Gi");
    values.put("edge.replicas", 5);
    values.put("edge.port", 9090);
    values.put("edge.auth.mode", "jwt");
    values.put("edge.auth.jwksUrl", "https://id.example.com/.well-known/jwks.json");
    values.put("edge.auth.issuer", "https://id.example.com/");
    values.put("edge.maxStreamsPerTenant", 500);
    values.put("edge.env.CHANGECAST_EDGE_RETENTION_MAX_AGE", "PT24H");
    values.put("edge.ingress.host", "events.example.com");
    values.put("edge.ingress.readTimeoutSeconds", 7200);
    values.put("edge.ingress.maxConnectionsPerClient", 20);
    values.put("edge.pdb.minAvailable", 3);
    values.put("serviceMonitor.interval", "30s");
    values.put("edge.envFrom[0].secretRef.name", "changecast-edge-jwt");
    Rendered r = render(values);

    Deployment router = r.deployment("router");
    assertThat(router.getSpec().getReplicas()).isEqualTo(3);
    assertThat(container(router).getImage())
        .isEqualTo("registry.example.com/changecast/streams-router:1.2.3");
    assertThat(container(router).getResources().getLimits().get("memory").toString())
        .isEqualTo("3Gi");
    RouterConfig routerConfig = RouterConfig.load(Optional.empty(), env(container(router)));
    assertThat(routerConfig.bootstrapServers()).isEqualTo("kafka-a:9093,kafka-b:9093");
    assertThat(routerConfig.tenantStrategy()).isEqualTo("database");
    assertThat(routerConfig.metricsPort()).isEqualTo(9500);
    assertProbes(container(router), 9500);

    Deployment edge = r.deployment("edge");
    assertThat(edge.getSpec().getReplicas()).isEqualTo(5);
    assertThat(container(edge).getImage())
        .isEqualTo("registry.example.com/changecast/sse-edge:1.2.3");
    EdgeConfig edgeConfig = EdgeConfig.load(Optional.empty(), env(container(edge)));
    assertThat(edgeConfig.httpPort()).isEqualTo(9090);
    assertThat(edgeConfig.authMode()).isEqualTo(AuthMode.JWT);
    assertThat(edgeConfig.jwt().orElseThrow().jwksUrl().orElseThrow())
        .hasToString("https://id.example.com/.well-known/jwks.json");
    assertThat(edgeConfig.jwt().orElseThrow().issuer()).contains("https://id.example.com/");
    assertThat(edgeConfig.sseMaxStreamsPerTenant()).isEqualTo(500);
    assertThat(edgeConfig.retentionMaxAge()).contains(Duration.ofHours(24));
    assertProbes(container(edge), 9090);
    assertThat(container(edge).getEnvFrom())
        .singleElement()
        .satisfies(
            from -> assertThat(from.getSecretRef().getName()).isEqualTo("changecast-edge-jwt"));
    assertThat(container(router).getEnvFrom()).isEmpty();

    assertServicesAndMonitorsReachTheRealPorts(r);
    assertBudgetsSelectTheirPods(r);
    assertThat(r.budget("edge").getSpec().getMinAvailable()).isEqualTo(new IntOrString(3));
    assertThat(r.all(ServiceMonitor.class))
        .allSatisfy(
            m -> assertThat(m.getSpec().getEndpoints().get(0).getInterval()).isEqualTo("30s"));

    Ingress ingress = r.one(Ingress.class);
    assertThat(ingress.getSpec().getRules().get(0).getHost()).isEqualTo("events.example.com");
    assertThat(ingress.getMetadata().getAnnotations())
        .containsEntry("nginx.ingress.kubernetes.io/proxy-read-timeout", "7200")
        .containsEntry("nginx.ingress.kubernetes.io/limit-connections", "20");
  }

  /**
   * The rendered probes' paths on the services' own HTTP servers (on a free port): the router's
   * metrics server answers both 200 while Kafka Streams runs and liveness 503 once it failed; the
   * edge, started with its rendered environment against a broker that does not answer, is live
   * (200) and not ready (503), and a path it does not serve is 404.
   */
  @Test
  void theRenderedProbesAnswerOnTheServicesOwnServers() throws Exception {
    Rendered r = render(Map.of());
    Container router = container(r.deployment("router"));
    var state = new AtomicReference<>(KafkaStreams.State.RUNNING);
    try (var server =
        MetricsServer.start(
            new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), "127.0.0.1", 0, state::get)) {
      assertThat(status(server.port(), router.getLivenessProbe())).isEqualTo(200);
      assertThat(status(server.port(), router.getReadinessProbe())).isEqualTo(200);
      state.set(KafkaStreams.State.ERROR);
      assertThat(status(server.port(), router.getLivenessProbe())).isEqualTo(503);
    }

    Container edge = container(r.deployment("edge"));
    Map<String, String> env = env(edge);
    env.put("CHANGECAST_EDGE_BOOTSTRAP_SERVERS", "127.0.0.1:9"); // nothing listens there
    env.put("CHANGECAST_EDGE_HTTP_HOST", "127.0.0.1");
    env.put("CHANGECAST_EDGE_HTTP_PORT", "0");
    // Closing waits this long for Kafka Streams, whose global thread waits for the broker: 10 s
    // by default.
    env.put("CHANGECAST_EDGE_SHUTDOWN_TIMEOUT_MS", "500");
    try (var server = ChangecastEdge.start(EdgeConfig.load(Optional.empty(), env))) {
      assertThat(status(server.port(), edge.getLivenessProbe())).isEqualTo(200);
      assertThat(status(server.port(), edge.getStartupProbe())).isEqualTo(200);
      assertThat(status(server.port(), edge.getReadinessProbe())).isEqualTo(503);
      assertThat(status(server.port(), "/health/nothing")).isEqualTo(404);
    }
  }

  private static int status(int port, Probe probe) throws Exception {
    return status(port, probe.getHttpGet().getPath());
  }

  private static int status(int port, String path) throws Exception {
    var request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(10))
            .build();
    return HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  @Test
  void withoutTheOperatorOrAnIngressThoseObjectsAreLeftOut() throws Exception {
    Rendered r = render(Map.of("serviceMonitor.enabled", false, "edge.ingress.enabled", false));

    assertThat(r.kindsAndNames())
        .noneMatch(n -> n.startsWith("ServiceMonitor/") || n.startsWith("Ingress/"))
        .contains("Deployment/cc-changecast-router", "Deployment/cc-changecast-edge");
  }

  @Test
  void aVariableWithoutTheComponentsPrefixIsRefusedWhenRendering() {
    assertThatThrownBy(() -> render(Map.of("router.env.TENANT_STRATEGY", "database")))
        .hasMessageContaining("TENANT_STRATEGY is not a CHANGECAST_ROUTER_* variable");
  }

  @Test
  void aVariableTheChartSetsFromItsValuesIsRefusedInEnv() {
    assertThatThrownBy(() -> render(Map.of("edge.env.CHANGECAST_EDGE_HTTP_PORT", "9999")))
        .hasMessageContaining(
            "CHANGECAST_EDGE_HTTP_PORT is set from the chart's values (values.yaml), not from env");
  }

  /** Liveness and startup on /health/live, readiness on /health/ready, all on {@code port}. */
  private static void assertProbes(Container c, int port) {
    assertThat(httpGet(c, c.getLivenessProbe().getHttpGet())).isEqualTo("/health/live:" + port);
    assertThat(httpGet(c, c.getStartupProbe().getHttpGet())).isEqualTo("/health/live:" + port);
    assertThat(httpGet(c, c.getReadinessProbe().getHttpGet())).isEqualTo("/health/ready:" + port);
  }

  /** path:port of a probe, its port name resolved through the container's ports. */
  private static String httpGet(Container c, HTTPGetAction get) {
    return get.getPath() + ":" + containerPort(c, get.getPort());
  }

  private static int containerPort(Container c, IntOrString port) {
    if (port.getIntVal() != null) {
      return port.getIntVal();
    }
    return c.getPorts().stream()
        .filter(p -> port.getStrVal().equals(p.getName()))
        .map(ContainerPort::getContainerPort)
        .findFirst()
        .orElseThrow(() -> new AssertionError("no container port named " + port.getStrVal()));
  }

  /**
   * Each component's Service selects its pods and targets the container port its service listens
   * on; each ServiceMonitor selects that Service and scrapes /metrics on one of its ports.
   */
  private static void assertServicesAndMonitorsReachTheRealPorts(Rendered r) {
    Map<String, Integer> listening =
        Map.of(
            "router",
            RouterConfig.load(Optional.empty(), env(container(r.deployment("router"))))
                .metricsPort(),
            "edge",
            EdgeConfig.load(Optional.empty(), env(container(r.deployment("edge")))).httpPort());
    for (String component : listening.keySet()) {
      Deployment d = r.deployment(component);
      Map<String, String> podLabels = d.getSpec().getTemplate().getMetadata().getLabels();
      Service service = r.service(component);
      assertThat(podLabels).containsAllEntriesOf(service.getSpec().getSelector());
      assertThat(podLabels).containsAllEntriesOf(d.getSpec().getSelector().getMatchLabels());
      for (ServicePort port : service.getSpec().getPorts()) {
        assertThat(containerPort(container(d), port.getTargetPort()))
            .isEqualTo(listening.get(component));
      }
      r.all(ServiceMonitor.class).stream()
          .filter(m -> m.getMetadata().getName().endsWith("-" + component))
          .forEach(
              m -> {
                assertThat(service.getMetadata().getLabels())
                    .containsAllEntriesOf(m.getSpec().getSelector().getMatchLabels());
                Endpoint endpoint = m.getSpec().getEndpoints().get(0);
                assertThat(endpoint.getPath()).isEqualTo("/metrics");
                assertThat(service.getSpec().getPorts())
                    .extracting(ServicePort::getName)
                    .contains(endpoint.getPort());
              });
    }
  }

  private static void assertBudgetsSelectTheirPods(Rendered r) {
    for (String component : List.of("router", "edge")) {
      assertThat(r.deployment(component).getSpec().getTemplate().getMetadata().getLabels())
          .containsAllEntriesOf(r.budget(component).getSpec().getSelector().getMatchLabels());
    }
  }

  private static Container container(Deployment d) {
    List<Container> containers = d.getSpec().getTemplate().getSpec().getContainers();
    assertThat(containers).hasSize(1);
    return containers.get(0);
  }

  /** The container's environment, each name once (a repeated name would hide a value). */
  private static Map<String, String> env(Container c) {
    Set<String> names = new TreeSet<>();
    Map<String, String> env = new LinkedHashMap<>();
    for (EnvVar var : c.getEnv()) {
      assertThat(names.add(var.getName())).as("set once: " + var.getName()).isTrue();
      env.put(var.getName(), var.getValue());
    }
    return env;
  }

  private static Rendered render(Map<String, Object> values) throws Exception {
    TemplateCommand template =
        Helm.template(CHART.toAbsolutePath().toString()).withName(RELEASE).withNamespace("cc");
    values.forEach(template::set);
    List<Parsed> parsed = StrictModels.parseAll(template.call());
    return new Rendered(parsed);
  }

  /** The rendered objects, each parsed strictly. */
  private record Rendered(List<Parsed> objects) {

    Set<String> kindsAndNames() {
      return objects.stream().map(p -> p.kind() + "/" + p.name()).collect(Collectors.toSet());
    }

    <T> List<T> all(Class<T> type) {
      return objects.stream().map(Parsed::model).filter(type::isInstance).map(type::cast).toList();
    }

    <T> T one(Class<T> type) {
      List<T> all = all(type);
      assertThat(all).hasSize(1);
      return all.get(0);
    }

    private <T extends HasMetadata> T named(Class<T> type, String component) {
      return all(type).stream()
          .filter(o -> o.getMetadata().getName().equals("cc-changecast-" + component))
          .findFirst()
          .orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " " + component));
    }

    Deployment deployment(String component) {
      return named(Deployment.class, component);
    }

    Service service(String component) {
      return named(Service.class, component);
    }

    PodDisruptionBudget budget(String component) {
      return named(PodDisruptionBudget.class, component);
    }
  }
}
