package io.changecast.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.StreamsGroupDescription;
import org.apache.kafka.clients.admin.StreamsGroupMemberDescription;
import org.apache.kafka.common.GroupType;

/**
 * Asks the running stack what it is doing: health endpoints, Kafka's group, Connect, Prometheus.
 */
final class Probes implements AutoCloseable {

  static final int ROUTER_PORT = 9464;
  static final int EDGE_PORT = 8080;
  static final int CONNECT_PORT = 8083;
  static final String ROUTER_GROUP = "changecast-router";
  static final String CONNECTOR = "changecast-source-app";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final Admin admin;
  private final URI prometheus;

  Probes(String bootstrapServers, URI prometheus) {
    this.admin =
        Admin.create(
            Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000));
    this.prometheus = prometheus;
  }

  /** The status of {@code GET url}, or -1 when it cannot be reached. */
  int status(String url) {
    try {
      return http.send(get(url), HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  /** The JSON body of {@code GET url} when it answers 200. */
  Optional<JsonNode> json(String url) {
    try {
      HttpResponse<String> response = http.send(get(url), HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200
          ? Optional.of(JSON.readTree(response.body()))
          : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  boolean routerReady(ComposeStack.Container c) {
    return c.running()
        && !c.ip().isEmpty()
        && status("http://" + c.ip() + ":" + ROUTER_PORT + "/health/ready") == 200;
  }

  boolean edgeReady(ComposeStack.Container c) {
    return c.running()
        && !c.ip().isEmpty()
        && status("http://" + c.ip() + ":" + EDGE_PORT + "/health/ready") == 200;
  }

  /** The connector's status from the worker {@code c}, if it answers. */
  Optional<JsonNode> connectorStatus(ComposeStack.Container c) {
    if (!c.running() || c.ip().isEmpty()) {
      return Optional.empty();
    }
    return json("http://" + c.ip() + ":" + CONNECT_PORT + "/connectors/" + CONNECTOR + "/status");
  }

  /** The connector and its task 0 RUNNING, as the worker {@code c} sees it. */
  boolean connectorRunning(ComposeStack.Container c) {
    return connectorStatus(c)
        .map(
            s ->
                "RUNNING".equals(s.path("connector").path("state").asText())
                    && "RUNNING".equals(s.path("tasks").path(0).path("state").asText()))
        .orElse(false);
  }

  /** {@code tasks[0].worker_id} as the worker {@code c} reports it ({@code host:8083}). */
  Optional<String> taskWorker(ComposeStack.Container c) {
    return connectorStatus(c)
        .map(s -> s.path("tasks").path(0))
        .filter(t -> "RUNNING".equals(t.path("state").asText()))
        .map(t -> t.path("worker_id").asText())
        .filter(w -> !w.isEmpty());
  }

  /** The broker answers metadata requests. */
  boolean kafkaUp() {
    try {
      admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
      return true;
    } catch (Exception e) {
      return false;
    }
  }

  /**
   * The host (IP) of the router instance holding the active task that reads the raw topics, from
   * the router's group: a classic consumer group (the member whose assignment has a {@code
   * changecast.raw.*} partition, else any non-empty one) or a streams group (a member with active
   * tasks). Empty while the group is rebalancing or nobody holds it.
   */
  Optional<String> activeRouterHost() {
    try {
      ConsumerGroupDescription group =
          admin
              .describeConsumerGroups(List.of(ROUTER_GROUP))
              .describedGroups()
              .get(ROUTER_GROUP)
              .get(10, TimeUnit.SECONDS);
      if (group.type() == GroupType.STREAMS) {
        return activeStreamsMember();
      }
      Optional<String> raw =
          group.members().stream()
              .filter(
                  m ->
                      m.assignment().topicPartitions().stream()
                          .anyMatch(tp -> tp.topic().startsWith("changecast.raw.")))
              .map(MemberDescription::host)
              .findFirst();
      if (raw.isPresent()) {
        return raw.map(Probes::bareHost);
      }
      return group.members().stream()
          .filter(m -> !m.assignment().topicPartitions().isEmpty())
          .map(MemberDescription::host)
          .findFirst()
          .map(Probes::bareHost);
    } catch (Exception e) {
      return activeStreamsMember();
    }
  }

  private Optional<String> activeStreamsMember() {
    try {
      StreamsGroupDescription group =
          admin
              .describeStreamsGroups(List.of(ROUTER_GROUP))
              .describedGroups()
              .get(ROUTER_GROUP)
              .get(10, TimeUnit.SECONDS);
      return group.members().stream()
          .filter(m -> !m.assignment().activeTasks().isEmpty())
          .map(StreamsGroupMemberDescription::clientHost)
          .findFirst()
          .map(Probes::bareHost);
    } catch (Exception e) {
      return Optional.empty();
    }
  }

  /** The member hosts of the router's group, for the log. */
  String routerGroupSummary() {
    try {
      ConsumerGroupDescription group =
          admin
              .describeConsumerGroups(List.of(ROUTER_GROUP))
              .describedGroups()
              .get(ROUTER_GROUP)
              .get(10, TimeUnit.SECONDS);
      return group.type()
          + " "
          + group.groupState()
          + " "
          + group.members().stream()
              .map(m -> bareHost(m.host()) + "=" + m.assignment().topicPartitions())
              .toList();
    } catch (Exception e) {
      return "unknown (" + e + ")";
    }
  }

  /**
   * Prometheus's instant query: the value of each series of the result vector, by its {@code
   * instance} label.
   */
  Map<String, Double> query(String promQl) {
    String url =
        prometheus.resolve("/api/v1/query").toString()
            + "?query="
            + URLEncoder.encode(promQl, StandardCharsets.UTF_8);
    JsonNode body =
        json(url).orElseThrow(() -> new IllegalStateException("Prometheus did not answer " + url));
    Map<String, Double> values = new java.util.TreeMap<>();
    for (JsonNode series : body.path("data").path("result")) {
      values.put(
          series.path("metric").path("instance").asText(series.path("metric").toString()),
          series.path("value").path(1).asDouble());
    }
    return values;
  }

  private static String bareHost(String host) {
    return host.startsWith("/") ? host.substring(1) : host;
  }

  private static HttpRequest get(String url) {
    return HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).GET().build();
  }

  @Override
  public void close() {
    admin.close(Duration.ofSeconds(5));
  }
}
