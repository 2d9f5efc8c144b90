package io.changecast.edge;

import static org.assertj.core.api.Assertions.assertThat;

import io.changecast.edge.config.EdgeConfig;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The wired edge without a reachable broker: it listens, is live, reports not ready, and closes
 * (Kafka Streams' global thread ignores shutdown while it waits for metadata, so close() takes its
 * whole {@code shutdown.timeout.ms} bound here, set to 500 ms instead of the default 10 s; with a
 * broker it is quick).
 */
class ChangecastEdgeTest {
  @TempDir Path stateDir;

  private static int closedPort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  @Test
  void listensButIsNotReadyWithoutKafka() throws Exception {
    EdgeConfig config =
        EdgeConfig.fromMap(
            Map.of(
                "bootstrap.servers",
                "127.0.0.1:" + closedPort(),
                "http.port",
                "0",
                "application.id",
                "edge-test-" + UUID.randomUUID(),
                "state.dir",
                stateDir.toString(),
                "streams.reconnect.backoff.max.ms",
                "200",
                "shutdown.timeout.ms",
                "500"));
    HttpClient http = HttpClient.newHttpClient();

    try (ChangecastEdge edge = ChangecastEdge.start(config)) {
      assertThat(edge.port()).isPositive();
      assertThat(edge.ready()).isFalse();

      assertThat(send(http, edge, "/health/live").statusCode()).isEqualTo(200);
      HttpResponse<String> ready = send(http, edge, "/health/ready");
      assertThat(ready.statusCode()).isEqualTo(503);
      assertThat(ready.body()).contains("\"status\":\"DOWN\"").contains("Kafka Streams is");
      HttpResponse<String> events = send(http, edge, "/v1/tenants/acme/events");
      assertThat(events.statusCode()).isEqualTo(503);
      assertThat(events.body()).contains("\"error\":\"not_ready\"");
    }
  }

  private static HttpResponse<String> send(HttpClient http, ChangecastEdge edge, String path)
      throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + edge.port() + path))
            .timeout(Duration.ofSeconds(10))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
