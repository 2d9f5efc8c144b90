package io.changecast.router;

import static io.changecast.router.TenantStrategyTopologyTest.event;
import static org.assertj.core.api.Assertions.assertThat;

import io.changecast.router.event.Envelope;
import io.changecast.router.internal.runtime.MetricsServer;
import io.changecast.router.metrics.RouterMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.streams.KafkaStreams;
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
      // the routed change event's cluster time advances the source time (heartbeats do too)
      assertThat(registry.get(RouterMetrics.SOURCE_TIME).gauge().value()).isEqualTo(1_700_000_000);
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
    try (MetricsServer server =
        MetricsServer.start(registry, "127.0.0.1", 0, () -> KafkaStreams.State.RUNNING)) {
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

  @Test
  void healthFollowsTheKafkaStreamsState() throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    AtomicReference<KafkaStreams.State> state =
        new AtomicReference<>(KafkaStreams.State.REBALANCING);
    try (MetricsServer server = MetricsServer.start(registry, "127.0.0.1", 0, state::get)) {
      assertThat(get(server, "/health/live").statusCode()).isEqualTo(200);
      HttpResponse<String> notReady = get(server, "/health/ready");
      assertThat(notReady.statusCode()).isEqualTo(503);
      assertThat(notReady.body()).isEqualTo("{\"status\":\"DOWN\",\"streams\":\"REBALANCING\"}");

      state.set(KafkaStreams.State.RUNNING);
      assertThat(get(server, "/health/ready").body())
          .isEqualTo("{\"status\":\"UP\",\"streams\":\"RUNNING\"}");

      state.set(KafkaStreams.State.ERROR);
      assertThat(get(server, "/health/live").statusCode()).isEqualTo(503);
      assertThat(get(server, "/health/ready").statusCode()).isEqualTo(503);
    }
  }

  @Test
  void deadLetterAndHistoryLostCountersStartAtZeroSoAlertsSeeTheFirstIncrease() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new RouterMetrics(registry);

    assertThat(registry.scrape())
        .contains("changecast_router_records_invalid_total{reason=\"tenant-unresolved\"} 0.0")
        .contains("changecast_router_records_invalid_total{reason=\"malformed-json\"} 0.0")
        .contains("changecast_router_resets_total{reason=\"source-history-lost\"} 0.0");
  }

  @Test
  void runningGaugeFollowsTheKafkaStreamsState() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    AtomicReference<KafkaStreams.State> state =
        new AtomicReference<>(KafkaStreams.State.REBALANCING);
    new RouterMetrics(registry).bindState(state::get);

    assertThat(registry.scrape()).contains("changecast_router_running 0.0");
    state.set(KafkaStreams.State.RUNNING);
    assertThat(registry.scrape()).contains("changecast_router_running 1.0");
    state.set(KafkaStreams.State.ERROR);
    assertThat(registry.get(RouterMetrics.RUNNING).gauge().value()).isEqualTo(0);
  }

  private static HttpResponse<String> get(MetricsServer server, String path) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
            HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void tracksEachTenantsLagUpToTheSeriesLimitThenCountsTheOverflow() {
    try (RouterDriver router =
        new RouterDriver(stateDir, Map.of("metrics.tenant-lag.max-tenants", "2"))) {
      TestInputTopic<String, String> orders = router.input("changecast.raw.app.orders");
      long now = RouterDriver.NOW;
      orders.pipeInput("k", walled(now - 5_000, 1, "acme"));
      orders.pipeInput("k", walled(now - 9_000, 2, "globex"));
      orders.pipeInput("k", walled(now - 1_000, 3, "initech")); // a third tenant: over the limit
      orders.pipeInput("k", walled(now - 250, 4, "acme")); // acme's latest event
      orders.pipeInput("k", walled(now - 7_000, 5, "initech"));
      // no wallTime: clusterTime 1700000000 s is the source time
      orders.pipeInput(
          "k", event("insert", "app", "orders", 6, "{\"_id\": 6, \"tenantId\": \"globex\"}"));

      var registry = router.registry;
      assertThat(router.envelopes()).hasSize(6);
      assertThat(registry.find(RouterMetrics.TENANT_LAG).timeGauges())
          .extracting(g -> g.getId().getTag("tenant"))
          .containsExactlyInAnyOrder("acme", "globex");
      assertThat(
              registry
                  .get(RouterMetrics.TENANT_LAG)
                  .tag("tenant", "acme")
                  .timeGauge()
                  .value(TimeUnit.MILLISECONDS))
          .isEqualTo(250);
      assertThat(
              registry
                  .get(RouterMetrics.TENANT_LAG)
                  .tag("tenant", "globex")
                  .timeGauge()
                  .value(TimeUnit.MILLISECONDS))
          .isEqualTo(RouterDriver.NOW - 1_700_000_000_000L);
      assertThat(registry.get(RouterMetrics.TENANT_LAG_OVERFLOW).counter().count()).isEqualTo(2);
    }
  }

  @Test
  void tenantLagIsExportedAsPrometheusSeconds() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    RouterMetrics metrics = new RouterMetrics(registry, 1);
    metrics.latency(envelope("acme", 1_000L, 3_500L));
    metrics.latency(envelope("globex", 1_000L, 2_000L));

    assertThat(registry.scrape())
        .contains("changecast_router_tenant_lag_seconds{tenant=\"acme\"} 2.5")
        .doesNotContain("tenant=\"globex\"")
        .contains("changecast_router_tenant_lag_overflow_total 1.0");
  }

  private static Envelope envelope(String tenant, long wallTime, long routedAt) {
    return new Envelope(
        "1",
        tenant,
        "orders.created",
        "insert",
        "app",
        "orders",
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        wallTime,
        routedAt,
        null);
  }

  /** A change event of {@code tenant} with {@code wallTime} (epoch ms). */
  private static String walled(long wallTime, int id, String tenant) {
    String event =
        event(
            "insert",
            "app",
            "orders",
            id,
            "{\"_id\": " + id + ", \"tenantId\": \"" + tenant + "\"}");
    return "{\"wallTime\": {\"$date\": " + wallTime + "}, " + event.substring(1);
  }
}
