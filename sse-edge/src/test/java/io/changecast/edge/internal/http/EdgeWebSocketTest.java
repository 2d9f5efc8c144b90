package io.changecast.edge.internal.http;

import static io.changecast.edge.internal.http.TestHttp.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.changecast.edge.internal.log.Event;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /v1/tenants/{tenant}/ws} on a real server with the JDK's WebSocket client: the same
 * stream as SSE (live, resume, resets, filters, caps, slow clients), as JSON text messages.
 */
class EdgeWebSocketTest extends EdgeTestBase {
  private URI ws(String tenant, String query) {
    return URI.create(
        "ws://127.0.0.1:"
            + server.port()
            + "/v1/tenants/"
            + tenant
            + "/ws"
            + (query.isEmpty() ? "" : "?" + query));
  }

  private WsTestClient client(URI uri, String... headers) throws Exception {
    WsTestClient client = WsTestClient.connect(http, uri, headers);
    toClose.add(client);
    return client;
  }

  private SseTestClient sse(String tenant) {
    SseTestClient client = SseTestClient.connect(uri("/v1/tenants/" + tenant + "/events"));
    toClose.add(client);
    return client;
  }

  /** A GET that Javalin treats as a WebSocket upgrade, to read the body of a refusal. */
  private HttpResponse<String> upgradeRequest(URI uri) throws Exception {
    URI plain = URI.create(uri.toString().replaceFirst("^ws:", "http:"));
    return TestHttp.get(http, WAIT, plain, "Sec-WebSocket-Version", "13");
  }

  @Test
  void liveEventsArriveAsOneJsonMessageEachWithIdTypeAndEnvelope() throws Exception {
    start(1000);
    WsTestClient client = client(ws("acme", ""));
    await().atMost(WAIT).until(() -> log.subscriberCount() == 1);

    append("acme", 1, 3);
    append("globex", 1, 3);

    await().atMost(WAIT).until(() -> client.lastId() == 3);
    assertThat(client.ids()).containsExactly(1L, 2L, 3L);
    JsonNode first = client.data().get(0);
    assertThat(first.get("id").asText()).isEqualTo("1");
    assertThat(first.get("event").asText()).isEqualTo("orders.created");
    assertThat(first.get("data")).isEqualTo(JSON.readTree(envelope("acme", 1)));
    assertThat(client.data().get(1).get("event").asText()).isEqualTo("invoice.sent");
    assertThat(client.data()).allMatch(m -> m.get("data").get("tenant").asText().equals("acme"));
    assertThat(metrics.scrape())
        .contains("changecast_edge_sse_connections{transport=\"ws\"} 1.0")
        .contains("changecast_edge_sse_events_sent_total{transport=\"ws\"} 3.0");
  }

  @Test
  void heartbeatsAreMessagesWithoutAnId() throws Exception {
    start(1000);
    WsTestClient client = client(ws("acme", ""));
    await().atMost(WAIT).until(() -> !client.named("heartbeat").isEmpty());
    JsonNode heartbeat = client.named("heartbeat").get(0);
    assertThat(heartbeat.has("id")).isFalse();
    assertThat(heartbeat.get("data").isObject()).isTrue();
  }

  @Test
  void resumingWithLastEventIdWhileEventsFlowHasNoGapAndNoDuplicate() throws Exception {
    start(100_000);
    AtomicLong position = new AtomicLong(); // the last id received before the latest disconnect
    AtomicReference<WsTestClient> current = new AtomicReference<>();
    List<Long> seen = new ArrayList<>();
    // Events keep flowing, within 300 of what the client has seen (and of the queue bound).
    try (PacedWriter writer =
        new PacedWriter(
            log,
            "acme",
            id -> envelope("acme", id),
            50,
            300,
            () -> Math.max(position.get(), current.get() == null ? -1 : current.get().lastId()))) {
      for (int round = 0; round < 15; round++) {
        WsTestClient client =
            WsTestClient.connect(http, ws("acme", "lastEventId=" + position.get()));
        current.set(client);
        long connectedAt = writer.appended();
        await().atMost(WAIT).until(() -> client.lastId() >= connectedAt + 50);
        client.close(); // mid-stream: events keep arriving
        List<Long> received = client.ids(); // one snapshot: a message may still be arriving
        seen.addAll(received);
        position.set(received.get(received.size() - 1));
        current.set(null);
      }
      writer.close();
      long last = writer.appended() + 1; // one more, so the tail has something to receive
      WsTestClient tail = client(ws("acme", "lastEventId=" + position.get()));
      append("acme", last, last);
      await().atMost(WAIT).until(() -> tail.lastId() == last);
      seen.addAll(tail.ids());
      assertThat(seen).hasSizeGreaterThan(15 * 50).doesNotHaveDuplicates();
      assertThat(seen).as(firstDifference(seen, range(1, last))).isEqualTo(range(1, last));
    }
    assertThat(metrics.scrape())
        .contains("changecast_edge_sse_replays_total{transport=\"ws\"} 16.0");
  }

  private static String firstDifference(List<Long> actual, List<Long> expected) {
    for (int i = 0; i < Math.min(actual.size(), expected.size()); i++) {
      if (!actual.get(i).equals(expected.get(i))) {
        return "first difference at index " + i + ": " + actual.get(i) + " for " + expected.get(i);
      }
    }
    return "sizes " + actual.size() + " and " + expected.size();
  }

  @Test
  void aPositionOlderThanTheRetentionGetsAResetFirst() throws Exception {
    start(5);
    append("acme", 1, 20); // retains 16..20
    WsTestClient client = client(ws("acme", "lastEventId=3"));
    await().atMost(WAIT).until(() -> client.lastId() == 20);

    JsonNode reset = client.messages.get(0);
    assertThat(reset.get("event").asText()).isEqualTo("reset");
    assertThat(reset.has("id")).isFalse();
    assertThat(reset.get("data").get("reason").asText()).isEqualTo("retention");
    assertThat(reset.get("data").get("oldestRetainedId").asText()).isEqualTo("16");
    assertThat(client.ids()).isEqualTo(range(16, 20));
    assertThat(metrics.scrape())
        .contains("changecast_edge_sse_resets_total{reason=\"retention\",transport=\"ws\"} 1.0");
  }

  @Test
  void aRouterResetKeepsItsIdAndPassesAnyFilter() throws Exception {
    start(1000);
    append("acme", 1, 2);
    String reset =
        "{\"id\":\"3\",\"tenant\":\"acme\",\"type\":\"changecast.reset\",\"operation\":\"reset\","
            + "\"reason\":\"source-history-lost\"}";
    log.append(new Event("acme", 3, reset));
    append("acme", 4, 5);
    WsTestClient client = client(ws("acme", "types=orders.*&lastEventId=0"));
    await().atMost(WAIT).until(() -> client.lastId() == 5);

    assertThat(client.messages.stream().filter(m -> m.has("id")))
        .extracting(m -> m.get("event").asText() + "#" + m.get("id").asText())
        .containsExactly("orders.created#1", "reset#3", "orders.created#5");
    assertThat(client.named("reset").get(0).get("data")).isEqualTo(JSON.readTree(reset));
  }

  @Test
  void filtersApplyToReplayAndLive() throws Exception {
    start(1000);
    append("acme", 1, 10);
    String where = q("document.total > 4");
    WsTestClient client = client(ws("acme", "types=orders.*&where=" + where + "&lastEventId=0"));
    await().atMost(WAIT).until(() -> client.lastId() == 9);
    append("acme", 11, 14);
    await().atMost(WAIT).until(() -> client.lastId() == 13);
    assertThat(client.ids()).containsExactly(5L, 7L, 9L, 11L, 13L);
  }

  @Test
  void badRequestsAreRefusedWithJsonBeforeTheUpgrade() throws Exception {
    start(1000);
    String badWhere = "where=" + q("document.total >");
    assertThat(WsTestClient.refusedStatus(http, ws("acme", badWhere))).isEqualTo(400);
    HttpResponse<String> where = upgradeRequest(ws("acme", badWhere));
    assertThat(where.statusCode()).isEqualTo(400);
    assertThat(json(where).get("error").asText()).isEqualTo("bad_filter");
    assertThat(json(where).get("detail").asText())
        .isEqualTo("where: expected a value, found the end at position 16");

    HttpResponse<String> position = upgradeRequest(ws("acme", "lastEventId=x"));
    assertThat(position.statusCode()).isEqualTo(400);
    assertThat(json(position).get("error").asText()).isEqualTo("invalid_last_event_id");
    HttpResponse<String> tenant = upgradeRequest(ws("bad%20tenant", ""));
    assertThat(json(tenant).get("error").asText()).isEqualTo("invalid_tenant");
    assertThat(log.subscriberCount()).isZero();
    assertThat(server.openStreams()).isZero();
  }

  @Test
  void thePerTenantCapCountsSseAndWebSocketStreams() throws Exception {
    start(1000, "sse.max-streams-per-tenant", "2");
    sse("acme");
    client(ws("acme", ""));
    await().atMost(WAIT).until(() -> server.openStreams() == 2);

    assertThat(WsTestClient.refusedStatus(http, ws("acme", ""))).isEqualTo(429);
    HttpResponse<String> refused = upgradeRequest(ws("acme", ""));
    assertThat(json(refused).get("error").asText()).isEqualTo("too_many_streams");
    assertThat(TestHttp.get(http, WAIT, uri("/v1/tenants/acme/events")).statusCode())
        .isEqualTo(429);
    client(ws("globex", ""));
    await().atMost(WAIT).until(() -> server.openStreams() == 3);
    assertThat(metrics.scrape())
        .contains("changecast_edge_sse_refused_total{cap=\"tenant\",transport=\"ws\"} 2.0");
  }

  @Test
  void aClientThatStopsReadingIsCutAndResumingLosesNothing() throws Exception {
    start(100_000, "sse.queue-capacity", "20", "sse.write-timeout.ms", "5000");
    WsTestClient good = client(ws("acme", ""));
    WsTestClient stalled = WsTestClient.connectPaused(http, ws("acme", ""));
    toClose.add(stalled);
    await().atMost(WAIT).until(() -> log.subscriberCount() == 2);

    long last = appendUntilOneStreamIsCut(8000, 10, good::lastId);
    assertThat(server.openStreams()).isEqualTo(1);
    assertThat(metrics.scrape())
        .contains("changecast_edge_sse_slow_client_disconnects_total{transport=\"ws\"} 1.0");
    stalled.resume(); // reads what was buffered, then the end of the connection
    assertThat(stalled.closed.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isNotNull();

    await().atMost(WAIT).until(() -> good.lastId() == last);
    assertThat(good.ids()).isEqualTo(range(1, last));
    WsTestClient resumed = client(ws("acme", "lastEventId=" + (last - 5)));
    await().atMost(WAIT).until(() -> resumed.lastId() == last);
    assertThat(resumed.ids()).isEqualTo(range(last - 4, last));
  }

  @Test
  void closingTheServerClosesTheSocketsWithGoingAway() throws Exception {
    start(1000);
    WsTestClient client = client(ws("acme", ""));
    await().atMost(WAIT).until(() -> server.openStreams() == 1);
    server.close();
    server = null;
    assertThat(client.closed.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(1001);
  }
}
