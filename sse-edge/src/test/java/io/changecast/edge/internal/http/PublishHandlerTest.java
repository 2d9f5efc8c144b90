package io.changecast.edge.internal.http;

import static io.changecast.edge.internal.http.TestHttp.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.changecast.edge.config.EdgeConfig;
import io.changecast.edge.internal.log.InMemoryEventLog;
import io.changecast.edge.internal.log.Readiness;
import io.changecast.edge.internal.stream.EdgeMetrics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The write API with authentication off, over an in-memory publisher. */
class PublishHandlerTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http = HttpClient.newHttpClient();
  private final FakeIngestPublisher publisher = new FakeIngestPublisher();
  private EdgeMetrics metrics;
  private EdgeServer server;

  @BeforeEach
  void start() {
    metrics = new EdgeMetrics();
    EdgeConfig config =
        EdgeConfig.fromMap(
            Map.of(
                "bootstrap.servers", "unused:9092",
                "http.port", "0",
                "write.max-body-bytes", "1024",
                "write.timeout.ms", "300"));
    // Not ready: the write API does not need the event log.
    server =
        EdgeServer.start(
            config,
            new InMemoryEventLog(10),
            () -> Readiness.notReady("restoring"),
            metrics,
            publisher);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private HttpResponse<String> post(String tenant, String contentType, String body)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(
                URI.create(
                    "http://127.0.0.1:" + server.port() + "/v1/tenants/" + tenant + "/events"))
            .timeout(WAIT)
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (contentType != null) {
      request.header("Content-Type", contentType);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(String body) throws Exception {
    return post("acme", "application/json", body);
  }

  private void assertError(HttpResponse<String> response, int status, String error)
      throws Exception {
    assertThat(response.statusCode()).isEqualTo(status);
    JsonNode body = json(response);
    assertThat(body.get("error").asText()).isEqualTo(error);
    assertThat(body.get("detail").asText()).isNotBlank();
    assertThat(body.size()).isEqualTo(2);
  }

  @Test
  void acceptedEventIsPublishedKeyedByTenantInTheRoutersIngestShape() throws Exception {
    long before = System.currentTimeMillis();
    HttpResponse<String> response =
        post(
            "acme",
            "application/json; charset=UTF-8",
            "{\"type\":\"invoice.sent\",\"data\":{\"n\":1,\"tags\":[\"a\"]}}");
    long after = System.currentTimeMillis();

    assertThat(response.statusCode()).isEqualTo(202);
    assertThat(json(response)).isEqualTo(JSON.readTree("{\"accepted\":true}"));
    assertThat(publisher.published).hasSize(1);
    FakeIngestPublisher.Published record = publisher.published.get(0);
    assertThat(record.tenant()).isEqualTo("acme");
    JsonNode value = JSON.readTree(record.value());
    assertThat(value.get("tenant").asText()).isEqualTo("acme");
    assertThat(value.get("type").asText()).isEqualTo("invoice.sent");
    assertThat(value.get("data")).isEqualTo(JSON.readTree("{\"n\":1,\"tags\":[\"a\"]}"));
    assertThat(value.get("receivedAt").asLong()).isBetween(before, after);
    assertThat(value.size()).isEqualTo(4);
    assertThat(metrics.scrape()).contains("changecast_edge_ingest_published_total 1.0");
  }

  @Test
  void dataMayBeAnyJsonValueIncludingNull() throws Exception {
    for (String data : new String[] {"null", "42", "\"text\"", "[1,2]", "false"}) {
      assertThat(post("{\"type\":\"t\",\"data\":" + data + "}").statusCode()).isEqualTo(202);
    }
    assertThat(publisher.published)
        .extracting(p -> JSON.readTree(p.value()).get("data").toString())
        .containsExactly("null", "42", "\"text\"", "[1,2]", "false");
  }

  @Test
  void invalidBodiesAre400WithoutPublishing() throws Exception {
    String[] bodies = {
      "",
      "not json",
      "[1,2]",
      "\"text\"",
      "{\"type\":\"t\",\"data\":1} trailing",
      "{\"type\":\"t\"}",
      "{\"data\":1}",
      "{\"type\":\"\",\"data\":1}",
      "{\"type\":7,\"data\":1}",
      "{\"type\":\"bad type!\",\"data\":1}",
      "{\"type\":\"" + "x".repeat(129) + "\",\"data\":1}",
      "{\"type\":\"t\",\"data\":1,\"id\":\"5\"}",
      "{\"type\":\"t\",\"type\":\"u\",\"data\":1}",
    };
    for (String body : bodies) {
      assertError(post(body), 400, "invalid_body");
    }
    assertThat(publisher.published).isEmpty();
  }

  @Test
  void typeDetailNamesTheRule() throws Exception {
    JsonNode body = json(post("{\"type\":\"a b\",\"data\":1}"));
    assertThat(body.get("detail").asText())
        .isEqualTo("'type' must be 1 to 128 of the characters A-Z a-z 0-9 . _ -");
  }

  @Test
  void bodyOverTheLimitIs413() throws Exception {
    String padding = "x".repeat(1024);
    assertError(post("{\"type\":\"t\",\"data\":\"" + padding + "\"}"), 413, "payload_too_large");

    // Exactly at the limit is fine.
    String prefix = "{\"type\":\"t\",\"data\":\"";
    String exact = prefix + "y".repeat(1024 - prefix.length() - 2) + "\"}";
    assertThat(exact).hasSize(1024);
    assertThat(post(exact).statusCode()).isEqualTo(202);
    assertThat(publisher.published).hasSize(1);
  }

  @Test
  void wrongOrMissingContentTypeIs415() throws Exception {
    String body = "{\"type\":\"t\",\"data\":1}";
    assertError(post("acme", "text/plain", body), 415, "unsupported_media_type");
    assertError(post("acme", null, body), 415, "unsupported_media_type");
    assertError(
        post("acme", "application/json; charset=ISO-8859-1", body), 415, "unsupported_media_type");
    assertError(
        post("acme", "application/x-www-form-urlencoded", body), 415, "unsupported_media_type");
    assertThat(publisher.published).isEmpty();
  }

  @Test
  void invalidTenantIs400() throws Exception {
    assertError(
        post("bad%20tenant", "application/json", "{\"type\":\"t\",\"data\":1}"),
        400,
        "invalid_tenant");
    assertThat(publisher.published).isEmpty();
  }

  @Test
  void refusedByTheBrokerIs503() throws Exception {
    publisher.answer =
        () -> CompletableFuture.failedFuture(new IllegalStateException("NOT_ENOUGH_REPLICAS"));
    assertError(post("{\"type\":\"t\",\"data\":1}"), 503, "publish_failed");
    assertThat(metrics.scrape())
        .contains("changecast_edge_ingest_failed_total 1.0")
        .contains("changecast_edge_ingest_published_total 0.0");
  }

  @Test
  void sendThrowingAtOnceIs503() throws Exception {
    publisher.answer =
        () -> {
          throw new IllegalStateException("producer closed");
        };
    assertError(post("{\"type\":\"t\",\"data\":1}"), 503, "publish_failed");
  }

  @Test
  void unacknowledgedWithinTheTimeoutIs503() throws Exception {
    publisher.answer = CompletableFuture::new; // never completes; write.timeout.ms is 300
    HttpResponse<String> response = post("{\"type\":\"t\",\"data\":1}");
    assertError(response, 503, "publish_failed");
    assertThat(json(response).get("detail").asText()).contains("may still be published");
  }

  @Test
  void withoutAPublisherWritesAre503() throws Exception {
    server.close();
    server =
        EdgeServer.start(
            EdgeConfig.fromMap(Map.of("bootstrap.servers", "unused:9092", "http.port", "0")),
            new InMemoryEventLog(10),
            Readiness::ready,
            metrics);
    assertError(post("{\"type\":\"t\",\"data\":1}"), 503, "publish_failed");
  }
}
