package io.changecast.edge.internal.http;

import static io.changecast.edge.internal.http.TestHttp.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.launchdarkly.eventsource.MessageEvent;
import io.changecast.edge.internal.log.Event;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** Filters, resets, {@code /recent}, slow clients, limits and CORS, over an in-memory log. */
class EdgeStreamTest extends EdgeTestBase {
  private URI events(String tenant, String query) {
    return uri("/v1/tenants/" + tenant + "/events" + (query.isEmpty() ? "" : "?" + query));
  }

  private SseTestClient client(URI uri, String lastEventId) {
    SseTestClient client = SseTestClient.connect(uri, lastEventId);
    toClose.add(client);
    return client;
  }

  @Test
  void filtersApplyToReplayAndLiveAndIdsKeepTheirMeaning() {
    start(1000);
    append("acme", 1, 10);
    SseTestClient client =
        client(events("acme", "types=orders.*&where=" + q("document.total > 4")), "0");
    await().atMost(WAIT).until(() -> client.lastId() == 9);
    append("acme", 11, 14);
    await().atMost(WAIT).until(() -> client.lastId() == 13);
    assertThat(client.ids()).containsExactly(5L, 7L, 9L, 11L, 13L);

    client.close();
    append("acme", 15, 18);
    SseTestClient again =
        client(events("acme", "types=orders.*&where=" + q("document.total > 4")), "13");
    await().atMost(WAIT).until(() -> again.lastId() == 17);
    assertThat(again.ids()).containsExactly(15L, 17L);
  }

  @Test
  void aBadFilterIsA400SayingWhere() throws Exception {
    start(1000);
    HttpResponse<String> where = get(events("acme", "where=" + q("document.total >")));
    assertThat(where.statusCode()).isEqualTo(400);
    assertThat(json(where).get("error").asText()).isEqualTo("bad_filter");
    assertThat(json(where).get("detail").asText())
        .isEqualTo("where: expected a value, found the end at position 16");
    HttpResponse<String> types = get(events("acme", "types=" + q("orders,*x")));
    assertThat(types.statusCode()).isEqualTo(400);
    assertThat(json(types).get("detail").asText()).contains("at position 7");
    assertThat(log.subscriberCount()).isZero();
  }

  @Test
  void aPositionOlderThanTheRetentionGetsAResetFirst() throws Exception {
    start(5);
    append("acme", 1, 20); // retains 16..20
    SseTestClient client = client(events("acme", ""), "3");
    await().atMost(WAIT).until(() -> client.lastId() == 20);

    MessageEvent reset = client.messages.get(0);
    assertThat(reset.getEventName()).isEqualTo("reset");
    JsonNode data = JSON.readTree(reset.getData());
    assertThat(data.get("reason").asText()).isEqualTo("retention");
    assertThat(data.get("oldestRetainedId").asText()).isEqualTo("16");
    assertThat(client.messages.subList(1, client.messages.size()))
        .extracting(MessageEvent::getLastEventId)
        .containsExactly("16", "17", "18", "19", "20");
    assertThat(metrics.scrape())
        .contains("changecast_edge_sse_resets_total{reason=\"retention\",transport=\"sse\"} 1.0");

    SseTestClient recent = client(events("acme", ""), "15"); // 16 is retained: no reset
    await().atMost(WAIT).until(() -> recent.lastId() == 20);
    assertThat(recent.messages).noneMatch(m -> m.getEventName().equals("reset"));
  }

  @Test
  void aRouterResetIsANamedEventWithItsIdThatPassesAnyFilter() {
    start(1000);
    append("acme", 1, 2);
    String reset =
        "{\"id\":\"3\",\"tenant\":\"acme\",\"type\":\"changecast.reset\",\"operation\":\"reset\","
            + "\"reason\":\"source-history-lost\",\"namespaces\":[{\"db\":\"app\",\"coll\":\"orders\"}]}";
    log.append(new Event("acme", 3, reset));
    append("acme", 4, 5);
    SseTestClient client = client(events("acme", "types=orders.*"), "0");
    await().atMost(WAIT).until(() -> client.lastId() == 5);

    assertThat(client.messages)
        .extracting(MessageEvent::getEventName, MessageEvent::getLastEventId)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("message", "1"),
            org.assertj.core.groups.Tuple.tuple("reset", "3"),
            org.assertj.core.groups.Tuple.tuple("message", "5"));
    assertThat(client.messages.get(1).getData()).isEqualTo(reset);
    assertThat(metrics.scrape())
        .contains(
            "changecast_edge_sse_resets_total{reason=\"source-history-lost\",transport=\"sse\"} 1.0")
        .contains("changecast_edge_sse_replays_total{transport=\"sse\"} 1.0");
  }

  @Test
  void recentReturnsPagesOfRetainedEventsAsJson() throws Exception {
    start(8);
    append("acme", 1, 12); // retains 5..12
    JsonNode page = json(get(uri("/v1/tenants/acme/events/recent?after=5&limit=3")));
    assertThat(page.get("events"))
        .extracting(e -> e.get("id").asText())
        .containsExactly("6", "7", "8");
    assertThat(page.get("oldestRetainedId").asText()).isEqualTo("5");
    assertThat(page.get("latestId").asText()).isEqualTo("12");
    assertThat(page.get("next").asText()).isEqualTo("8");

    JsonNode newest = json(get(uri("/v1/tenants/acme/events/recent?limit=2")));
    assertThat(newest.get("events"))
        .extracting(e -> e.get("id").asText())
        .containsExactly("11", "12");

    JsonNode filtered =
        json(get(uri("/v1/tenants/acme/events/recent?after=0&types=orders.*&limit=2")));
    assertThat(filtered.get("events"))
        .extracting(e -> e.get("id").asText())
        .containsExactly("5", "7");
    assertThat(filtered.get("next").asText()).isEqualTo("7");

    JsonNode all = json(get(uri("/v1/tenants/acme/events/recent?after=0")));
    assertThat(all.get("events")).hasSize(8);
    assertThat(all.get("next").asText()).isEqualTo("12");

    JsonNode none = json(get(uri("/v1/tenants/nobody/events/recent")));
    assertThat(none.get("events")).isEmpty();
    assertThat(none.get("oldestRetainedId").isNull()).isTrue();
    assertThat(none.get("latestId").isNull()).isTrue();
  }

  @Test
  void recentValidatesItsParameters() throws Exception {
    start(8);
    for (String query :
        List.of("limit=0", "limit=1001", "limit=x", "after=-1", "after=a", "where=%3D")) {
      HttpResponse<String> response = get(uri("/v1/tenants/acme/events/recent?" + query));
      assertThat(response.statusCode()).as(query).isEqualTo(400);
      assertThat(json(response).get("error").asText())
          .as(query)
          .isIn("invalid_limit", "invalid_after", "bad_filter");
    }
    assertThat(get(uri("/v1/tenants/acme/events/recent?limit=1000")).statusCode()).isEqualTo(200);
  }

  @Test
  void aClientThatStopsReadingIsCutAndOthersKeepReceiving() throws Exception {
    start(100_000, "sse.queue-capacity", "50", "sse.write-timeout.ms", "5000");
    SseTestClient good = client(events("acme", ""), null);
    try (Socket stalled = new Socket()) {
      stalled.setReceiveBufferSize(4096);
      stalled.connect(new java.net.InetSocketAddress("127.0.0.1", server.port()));
      OutputStream request = stalled.getOutputStream();
      request.write(
          ("GET /v1/tenants/acme/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      request.flush();
      await().atMost(WAIT).until(() -> log.subscriberCount() == 2);

      // Events flow fast, paced only so that the reading client stays within its bound.
      long last = appendUntilOneStreamIsCut(2000, 20, good::lastId);
      assertThat(server.openStreams()).isEqualTo(1);
      assertThat(metrics.scrape())
          .contains("changecast_edge_sse_slow_client_disconnects_total{transport=\"sse\"} 1.0");

      append("acme", last + 1, last + 3);
      await().atMost(WAIT).until(() -> good.lastId() == last + 3);
      assertThat(good.ids()).isEqualTo(LongStream.rangeClosed(1, last + 3).boxed().toList());

      // The stalled socket was closed by the server: reading it now ends.
      stalled.setSoTimeout((int) WAIT.toMillis());
      InputStream in = stalled.getInputStream();
      byte[] buffer = new byte[65536];
      boolean ended = false;
      try {
        while (in.read(buffer) >= 0) {
          // drain what was buffered before the cut
        }
        ended = true;
      } catch (SocketTimeoutException stillOpen) {
        ended = false;
      } catch (IOException reset) {
        ended = true;
      }
      assertThat(ended).as("the server closed the stalled connection").isTrue();
    }
  }

  @Test
  void tooManyStreamsOfOneTenantIsA429() throws Exception {
    start(1000, "sse.max-streams-per-tenant", "2");
    client(events("acme", ""), null);
    client(events("acme", ""), null);
    await().atMost(WAIT).until(() -> server.openStreams() == 2);
    HttpResponse<String> third = get(events("acme", ""));
    assertThat(third.statusCode()).isEqualTo(429);
    assertThat(json(third).get("error").asText()).isEqualTo("too_many_streams");
    SseTestClient other = client(events("globex", ""), null);
    await().atMost(WAIT).until(() -> server.openStreams() == 3);
    assertThat(other.errors).isEmpty();
  }

  @Test
  void oversizedRequestsAreRefused() throws Exception {
    start(1000);
    HttpResponse<String> longUri = get(events("acme", "where=" + "a".repeat(40_000)));
    assertThat(longUri.statusCode()).isEqualTo(414);
    assertThat(json(longUri).get("error").asText()).isEqualTo("uri_too_long");
    assertThat(json(longUri).get("detail").asText()).contains("32768 bytes");
    HttpResponse<String> bigHeaders = get(events("acme", ""), "X-Big", "b".repeat(40_000));
    assertThat(bigHeaders.statusCode()).isEqualTo(431);
    assertThat(json(bigHeaders).get("error").asText()).isEqualTo("headers_too_large");
    assertThat(json(bigHeaders).get("detail").asText()).contains("32768 bytes");
    // The WebSocket endpoint is behind the same limits.
    HttpResponse<String> bigUpgrade =
        get(uri("/v1/tenants/acme/ws"), "Sec-WebSocket-Version", "13", "X-Big", "b".repeat(40_000));
    assertThat(bigUpgrade.statusCode()).isEqualTo(431);
    assertThat(json(bigUpgrade).get("error").asText()).isEqualTo("headers_too_large");
    HttpResponse<String> longId = get(events("acme", ""), "Last-Event-ID", "1".repeat(100));
    assertThat(longId.statusCode()).isEqualTo(400);
    assertThat(json(longId).get("error").asText()).isEqualTo("invalid_last_event_id");
  }

  @Test
  void idleConnectionsWithoutARequestAreClosedQuicklyWhileQuietStreamsStayOpen() throws Exception {
    // Heartbeats every 1 s keep a stream open far past the 300 ms allowed to a bare connection.
    start(1000, "http.idle-timeout.ms", "300", "heartbeat.interval.ms", "1000");
    SseTestClient sse = client(events("acme", ""), null);
    WsTestClient ws =
        WsTestClient.connect(
            http, URI.create("ws://127.0.0.1:" + server.port() + "/v1/tenants/acme/ws"));
    toClose.add(ws);

    try (Socket silent = new Socket("127.0.0.1", server.port());
        Socket partial = new Socket("127.0.0.1", server.port())) {
      silent.setSoTimeout((int) WAIT.toMillis());
      partial.setSoTimeout((int) WAIT.toMillis());
      partial
          .getOutputStream()
          .write(
              "GET /v1/tenants/acme/events HTTP/1.1\r\nHost: x\r\n"
                  .getBytes(StandardCharsets.US_ASCII));
      assertThat(silent.getInputStream().read())
          .as("a connection that sends nothing")
          .isEqualTo(-1);
      assertThat(partial.getInputStream().read())
          .as("a connection that never finishes its request")
          .isEqualTo(-1);
    }

    await().atMost(WAIT).until(() -> sse.comments.size() >= 2 && ws.named("heartbeat").size() >= 2);
    assertThat(sse.opened.get()).as("the quiet SSE stream was never cut").isEqualTo(1);
    assertThat(sse.errors).isEmpty();
    assertThat(ws.closed).isNotDone();
    append("acme", 1, 1);
    await().atMost(WAIT).until(() -> sse.ids().equals(List.of(1L)) && ws.ids().equals(List.of(1L)));
  }

  @Test
  void corsHeadersOnlyForAllowedOriginsAndNoCompression() throws Exception {
    start(1000, "http.cors.allowed-origins", "https://app.example, https://admin.example");
    append("acme", 1, 1);
    HttpResponse<String> allowed =
        get(uri("/v1/tenants/acme/events/recent"), "Origin", "https://app.example");
    assertThat(allowed.headers().firstValue("Access-Control-Allow-Origin"))
        .contains("https://app.example");
    HttpResponse<String> other =
        get(uri("/v1/tenants/acme/events/recent"), "Origin", "https://evil.example");
    assertThat(other.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();

    HttpResponse<String> preflight =
        http.send(
            HttpRequest.newBuilder(uri("/v1/tenants/acme/events"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", "https://admin.example")
                .header("Access-Control-Request-Method", "GET")
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(preflight.statusCode()).isEqualTo(204);
    assertThat(preflight.headers().firstValue("Access-Control-Allow-Headers"))
        .hasValueSatisfying(h -> assertThat(h).contains("Last-Event-ID"));

    HttpResponse<InputStream> stream =
        http.send(
            HttpRequest.newBuilder(events("acme", ""))
                .header("Accept-Encoding", "gzip, br")
                .header("Last-Event-ID", "0")
                .header("Origin", "https://app.example")
                .build(),
            HttpResponse.BodyHandlers.ofInputStream());
    try (BufferedReader body =
        new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
      assertThat(stream.headers().firstValue("Content-Encoding")).isEmpty();
      assertThat(stream.headers().firstValue("Access-Control-Allow-Origin"))
          .contains("https://app.example");
      assertThat(body.readLine()).isEqualTo("retry: 2000");
    }
  }
}
