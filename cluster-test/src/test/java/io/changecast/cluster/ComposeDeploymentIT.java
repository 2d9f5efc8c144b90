package io.changecast.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * README "Deploying", as a user runs it: the shipped compose file with the stand-ins override, one
 * instance of each service. A document written by a MongoDB driver on the host with {@code
 * directConnection=true} reaches {@code curl -N http://localhost:8080/v1/tenants/…/events} (the
 * real curl, reading the published port) as id 1 with the document; Prometheus lists the router,
 * edge and Connect targets as up; and every query of the shipped Grafana dashboard returns data
 * from Prometheus (Grafana itself has no stand-in here). Then the shipped alert rules ({@code
 * deploy/prometheus/alerts.yml}) on real situations, each read from Prometheus's {@code
 * /api/v1/alerts}: the document without a tenant fires ChangecastDeadLetters, which resolves when
 * its window has passed; a stopped edge fires ChangecastEdgeNotReady and a connector task failed by
 * the broker (a config whose records exceed the producer's {@code max.request.size}) fires
 * ChangecastConnectorTaskFailed, both resolving once the edge is started and the shipped config is
 * registered again; a killed router fires ChangecastRouterNotRunning, resolving once it is started.
 * The timeline goes to the log, {@code target/alert-results.md} and {@code
 * target/cluster-results.md}. Run with the cluster test ({@code -Pcluster}), after the images are
 * built.
 */
class ComposeDeploymentIT {

  private static final Logger LOG = LoggerFactory.getLogger(ComposeDeploymentIT.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final Duration POLL = Duration.ofMillis(500);
  private static final String EDGE = "http://localhost:8080";
  private static final String PROMETHEUS = "http://localhost:9090";
  private static final String CONNECT = "http://localhost:8083";
  private static final Duration ALERT_LIMIT = Duration.ofMinutes(3);
  private static final String DEAD_LETTERS = "ChangecastDeadLetters";
  private static final String EDGE_NOT_READY = "ChangecastEdgeNotReady";
  private static final String TASK_FAILED = "ChangecastConnectorTaskFailed";
  private static final String ROUTER_NOT_RUNNING = "ChangecastRouterNotRunning";

  @Test
  void aHostDriversWriteReachesCurlOnLocalhostAndPrometheusSeesEveryService() throws Exception {
    Path composeDir =
        Path.of(System.getProperty("cluster.composeDir", Path.of("..").toString()))
            .toAbsolutePath()
            .normalize();
    ComposeStack stack =
        new ComposeStack(
            System.getProperty("cluster.compose", "docker-compose"),
            composeDir,
            "changecast-deploy");
    assertThat(stack.missing()).as("Docker, compose and the images; missing").isEmpty();
    Path logs = Path.of("target", "logs-deploy").toAbsolutePath();
    Files.createDirectories(logs);
    stack.downQuietly();
    Process curl = null;
    AlertWatch alerts = null;
    try {
      stack.up(Map.of());
      alerts = new AlertWatch(URI.create(PROMETHEUS));
      await("the edge's /health/ready on localhost:8080")
          .atMost(Duration.ofMinutes(6))
          .pollInterval(POLL)
          .ignoreExceptions()
          .until(() -> status(EDGE + "/health/ready") == 200);

      // the connector streams changes made after its task started (as on a real replica set)
      await("the connector's task RUNNING on localhost:8083")
          .atMost(Duration.ofMinutes(4))
          .pollInterval(POLL)
          .ignoreExceptions()
          .until(
              () ->
                  JSON.readTree(get(CONNECT + "/connectors/changecast-source-app/status").body())
                      .path("tasks")
                      .path(0)
                      .path("state")
                      .asText()
                      .equals("RUNNING"));

      List<String> lines = new CopyOnWriteArrayList<>();
      curl =
          new ProcessBuilder("curl", "-N", "-s", EDGE + "/v1/tenants/acme/events")
              .redirectErrorStream(true)
              .start();
      readLines(curl, lines);

      AlertWatch watch = alerts;
      await("Prometheus answers /api/v1/alerts, ChangecastDeadLetters inactive")
          .atMost(Duration.ofMinutes(2))
          .pollInterval(POLL)
          .until(
              () -> watch.polledOnce() && watch.state(DEAD_LETTERS) == AlertWatch.State.INACTIVE);
      long deadLetterAt = System.currentTimeMillis();
      String marker = UUID.randomUUID().toString();
      try (MongoClient client =
          MongoClients.create("mongodb://localhost:27017/?directConnection=true")) {
        var orders = client.getDatabase("app").getCollection("orders");
        // no tenant: a dead letter, so the dashboard's dead-letter panel has a series too
        orders.insertOne(new Document("status", "placed").append("note", "no tenant"));
        orders.insertOne(
            new Document("tenantId", "acme").append("status", "placed").append("marker", marker));
      }
      await("curl -N receives the write as event 1")
          .atMost(Duration.ofMinutes(4))
          .pollInterval(POLL)
          .until(() -> lines.contains("id: 1") && lines.stream().anyMatch(l -> l.contains(marker)));
      String data = lines.stream().filter(l -> l.contains(marker)).findFirst().orElseThrow();
      JsonNode envelope = JSON.readTree(data.substring("data:".length()));
      assertThat(envelope.path("id").asText()).isEqualTo("1");
      assertThat(envelope.path("tenant").asText()).isEqualTo("acme");
      assertThat(envelope.path("type").asText()).isEqualTo("orders.created");
      assertThat(envelope.path("document").path("marker").asText()).isEqualTo(marker);
      LOG.info("curl -N on localhost:8080 received: {}", data);

      await("Prometheus lists router, edge and Connect as up")
          .atMost(Duration.ofMinutes(2))
          .pollInterval(POLL)
          .until(
              () ->
                  upTargets()
                      .keySet()
                      .containsAll(
                          List.of("changecast-router", "changecast-edge", "changecast-connect")));
      LOG.info("Prometheus targets up: {}", upTargets());

      JsonNode dashboard =
          JSON.readTree(
              composeDir.resolve("deploy/grafana/dashboards/changecast-pipeline.json").toFile());
      for (JsonNode panel : dashboard.path("panels")) {
        for (JsonNode target : panel.path("targets")) {
          String expr = target.path("expr").asText();
          await("dashboard panel '" + panel.path("title").asText() + "': " + expr)
              .atMost(Duration.ofMinutes(2))
              .pollInterval(Duration.ofSeconds(2))
              .until(() -> seriesCount(expr) > 0);
          LOG.info("Dashboard query returns {} series: {}", seriesCount(expr), expr);
        }
      }

      curl.destroy();
      alertsFireAndResolve(stack, alerts, deadLetterAt);
    } finally {
      if (curl != null) {
        curl.destroy();
      }
      if (alerts != null) {
        alerts.close();
      }
      stack.downKeepingLogs(logs);
    }
  }

  /** Waits up to {@code limit} until every alert of {@code names} is in {@code state}. */
  private static void awaitAlerts(
      AlertWatch alerts, AlertWatch.State state, Duration limit, String... names) {
    await(String.join(" and ", names) + " " + state)
        .atMost(limit)
        .pollInterval(POLL)
        .until(() -> Arrays.stream(names).allMatch(name -> alerts.state(name) == state));
  }

  /**
   * Four alerts, each on a real situation: fired (read from {@code /api/v1/alerts}) after the
   * situation began, resolved after it ended. The dead letter was written at {@code deadLetterAt}.
   */
  private static void alertsFireAndResolve(ComposeStack stack, AlertWatch alerts, long deadLetterAt)
      throws Exception {
    List<AlertRow> rows = new ArrayList<>();
    awaitAlerts(alerts, AlertWatch.State.FIRING, ALERT_LIMIT, DEAD_LETTERS);

    // inactive before their faults
    awaitAlerts(alerts, AlertWatch.State.INACTIVE, ALERT_LIMIT, EDGE_NOT_READY, TASK_FAILED);
    ComposeStack.Container edge = stack.containers("edge").get(0);
    String shipped = get(CONNECT + "/connectors/" + Probes.CONNECTOR + "/config").body();
    ObjectNode tooSmall = (ObjectNode) JSON.readTree(shipped);
    tooSmall.put("producer.override.max.request.size", "1"); // the broker refuses every record
    long faultsAt = System.currentTimeMillis();
    stack.kill(edge);
    LOG.info(
        "Alert situations: edge {} killed, connector config with max.request.size=1", edge.name());
    assertThat(put(CONNECT + "/connectors/" + Probes.CONNECTOR + "/config", tooSmall.toString()))
        .isEqualTo(200);
    await("the connector's task FAILED")
        .atMost(ALERT_LIMIT)
        .pollInterval(POLL)
        .ignoreExceptions()
        .until(() -> taskState().equals("FAILED"));
    awaitAlerts(alerts, AlertWatch.State.FIRING, ALERT_LIMIT, EDGE_NOT_READY, TASK_FAILED);

    long fixedAt = System.currentTimeMillis();
    stack.start(edge);
    assertThat(put(CONNECT + "/connectors/" + Probes.CONNECTOR + "/config", shipped))
        .isEqualTo(200);
    LOG.info("Alert situations ended: edge started, the shipped connector config registered");
    awaitAlerts(alerts, AlertWatch.State.INACTIVE, ALERT_LIMIT, EDGE_NOT_READY, TASK_FAILED);
    assertThat(status(EDGE + "/health/ready")).isEqualTo(200);
    assertThat(taskState()).isEqualTo("RUNNING");
    rows.add(row(alerts, EDGE_NOT_READY, "edge SIGKILLed, then started", faultsAt, fixedAt));
    rows.add(
        row(
            alerts,
            TASK_FAILED,
            "connector config with producer max.request.size=1 (task FAILED), then the shipped"
                + " config",
            faultsAt,
            fixedAt));

    // resolves by itself: no further dead letter within the rule's window
    awaitAlerts(alerts, AlertWatch.State.INACTIVE, ALERT_LIMIT.plusMinutes(2), DEAD_LETTERS);
    rows.add(
        row(
            alerts,
            DEAD_LETTERS,
            "a document without tenant (dead-lettered); resolves when the 3-minute window has"
                + " passed",
            deadLetterAt,
            deadLetterAt));

    // inactive before its fault
    awaitAlerts(alerts, AlertWatch.State.INACTIVE, ALERT_LIMIT, ROUTER_NOT_RUNNING);
    ComposeStack.Container router = stack.containers("router").get(0);
    long killedAt = System.currentTimeMillis();
    stack.kill(router);
    LOG.info("Alert situation: router {} killed", router.name());
    awaitAlerts(alerts, AlertWatch.State.FIRING, ALERT_LIMIT, ROUTER_NOT_RUNNING);
    long startedAt = System.currentTimeMillis();
    stack.start(router);
    awaitAlerts(alerts, AlertWatch.State.INACTIVE, ALERT_LIMIT, ROUTER_NOT_RUNNING);
    rows.add(
        row(alerts, ROUTER_NOT_RUNNING, "router SIGKILLed, then started", killedAt, startedAt));

    String table = AlertRow.markdown(rows, alerts.changes(), deadLetterAt);
    LOG.info("Alerts fired and resolved:\n{}", table);
    Path target = Path.of("target").toAbsolutePath();
    Files.createDirectories(target);
    Files.writeString(target.resolve("alert-results.md"), table, StandardCharsets.UTF_8);
    // after ClusterFaultIT's summary (the cluster profile runs the ITs in alphabetical order),
    // replacing the section an earlier run may have left there
    Path results = target.resolve("cluster-results.md");
    String before = Files.exists(results) ? Files.readString(results) : "";
    int earlier = before.indexOf(AlertRow.HEADING);
    String kept = earlier < 0 ? before : before.substring(0, earlier);
    Files.writeString(results, kept + (kept.isEmpty() ? "" : "\n") + table, StandardCharsets.UTF_8);
    for (AlertRow r : rows) {
      assertThat(r.firingAt()).as("%s fired after its situation began", r.alert()).isPresent();
      assertThat(r.resolvedAt()).as("%s resolved after its situation ended", r.alert()).isPresent();
    }
  }

  private static AlertRow row(
      AlertWatch alerts, String alert, String situation, long faultAt, long fixedAt) {
    Optional<Long> firing = alerts.firstAt(alert, AlertWatch.State.FIRING, faultAt);
    Optional<Long> pending = alerts.firstAt(alert, AlertWatch.State.PENDING, faultAt);
    Optional<Long> resolved =
        alerts.firstAt(alert, AlertWatch.State.INACTIVE, Math.max(fixedAt, firing.orElse(fixedAt)));
    return new AlertRow(alert, situation, faultAt, pending, firing, fixedAt, resolved);
  }

  private static String taskState() throws Exception {
    return JSON.readTree(get(CONNECT + "/connectors/" + Probes.CONNECTOR + "/status").body())
        .path("tasks")
        .path(0)
        .path("state")
        .asText();
  }

  private static int put(String url, String json) throws Exception {
    return HTTP.send(
            HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(json))
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .statusCode();
  }

  private static void readLines(Process process, List<String> lines) {
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader in =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                  lines.add(line);
                }
              } catch (IOException e) {
                lines.add("read failed: " + e);
              }
            },
            "curl-reader");
    reader.setDaemon(true);
    reader.start();
  }

  /** Jobs with at least one target up, and how many. */
  private static Map<String, Integer> upTargets() throws Exception {
    JsonNode body = JSON.readTree(get(PROMETHEUS + "/api/v1/targets").body());
    Map<String, Integer> up = new TreeMap<>();
    for (JsonNode target : body.path("data").path("activeTargets")) {
      if (target.path("health").asText().equals("up")) {
        up.merge(target.path("labels").path("job").asText(), 1, Integer::sum);
      }
    }
    return up;
  }

  private static int seriesCount(String expr) throws Exception {
    String url =
        PROMETHEUS
            + "/api/v1/query?query="
            + java.net.URLEncoder.encode(expr, StandardCharsets.UTF_8);
    JsonNode body = JSON.readTree(get(url).body());
    if (!body.path("status").asText().equals("success")) {
      // a query Prometheus refuses would show as an error in the Grafana panel: fail at once
      throw new AssertionError("Prometheus refuses the query " + expr + ": " + body);
    }
    return body.path("data").path("result").size();
  }

  private static int status(String url) throws Exception {
    return get(url).statusCode();
  }

  private static HttpResponse<String> get(String url) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
