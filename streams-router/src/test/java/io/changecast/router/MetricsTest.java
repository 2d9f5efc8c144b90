package io.changecast.router;

import static io.changecast.router.TenantStrategyTopologyTest.event;
import static org.assertj.core.api.Assertions.assertThat;

import io.changecast.router.internal.MetricsServer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.TestInputTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsTest {

  @TempDir Path stateDir;

  @Test
  void countsRecordsInAndOutPerTopicAndTheLatency() {
    try (RouterDriver router = new RouterDriver(stateDir, Map.of("type.topics.enabled", "true"))) {
      TestInputTopic<String, String> orders = router.input("changecast.raw.app.orders");
      orders.pipeInput(
          "k", event("insert", "app", "orders", 1, "{\"_id\": 1, \"tenantId\": \"acme\"}"));
      orders.pipeInput("k", "garbage");
      router
          .input("changecast.ingest")
          .pipeInput("acme", "{\"tenant\": \"acme\", \"type\": \"t\", \"data\": 1}");

      var registry = router.registry;
      assertThat(registry.counter(RouterMetrics.IN, "topic", "changecast.raw.app.orders").count())
          .isEqualTo(2);
      assertThat(registry.counter(RouterMetrics.IN, "topic", "changecast.ingest").count())
          .isEqualTo(1);
      assertThat(registry.counter(RouterMetrics.OUT, "topic", "changecast.events").count())
          .isEqualTo(2);
      assertThat(registry.counter(RouterMetrics.OUT, "topic", "changecast.dlq").count())
          .isEqualTo(1);
      assertThat(
              registry
                  .counter(RouterMetrics.OUT, "topic", "changecast.type.orders.created")
                  .count())
          .isEqualTo(1);
      assertThat(registry.counter(RouterMetrics.INVALID, "reason", "malformed-json").count())
          .isEqualTo(1);
      var latency = registry.get(RouterMetrics.LATENCY).timer();
      assertThat(latency.count()).isEqualTo(1); // the change event: clusterTime 1700000000 s
      assertThat(latency.totalTime(TimeUnit.MILLISECONDS))
          .isEqualTo(RouterDriver.NOW - 1_700_000_000_000L);
    }
  }

  @Test
  void servesPrometheusText() throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new RouterMetrics(registry).duplicate("changecast.raw.app.orders");
    try (MetricsServer server = MetricsServer.start(registry, "127.0.0.1", 0)) {
      HttpResponse<String> response =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create("http://127.0.0.1:" + server.port() + "/metrics"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body())
          .contains(
              "changecast_router_duplicates_dropped_total{topic=\"changecast.raw.app.orders\"} 1.0");
    }
  }
}
