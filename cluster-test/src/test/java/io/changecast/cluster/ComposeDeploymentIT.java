package io.changecast.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.List;
import java.util.Map;
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
 * from Prometheus (Grafana itself has no stand-in here). Run with the cluster test ({@code
 * -Pcluster}), after the images are built.
 */
class ComposeDeploymentIT {

  private static final Logger LOG = LoggerFactory.getLogger(ComposeDeploymentIT.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final Duration POLL = Duration.ofMillis(500);
  private static final String EDGE = "http://localhost:8080";
  private static final String PROMETHEUS = "http://localhost:9090";
  private static final String CONNECT = "http://localhost:8083";

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
    try {
      stack.up(Map.of());
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
    } finally {
      if (curl != null) {
        curl.destroy();
      }
      stack.downKeepingLogs(logs);
    }
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
