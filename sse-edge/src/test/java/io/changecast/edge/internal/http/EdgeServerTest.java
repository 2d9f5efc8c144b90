package io.changecast.edge.internal.http;

import static io.changecast.edge.internal.http.TestHttp.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.launchdarkly.eventsource.MessageEvent;
import io.changecast.edge.config.EdgeConfig;
import io.changecast.edge.internal.log.ClusterTime;
import io.changecast.edge.internal.log.Event;
import io.changecast.edge.internal.log.EventLog;
import io.changecast.edge.internal.log.InMemoryEventLog;
import io.changecast.edge.internal.log.Readiness;
import io.changecast.edge.internal.log.Subscription;
import io.changecast.edge.internal.stream.EdgeMetrics;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The SSE edge over an in-memory event log, driven by a real SSE client and plain HTTP. */
class EdgeServerTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  private final HttpClient http = HttpClient.newHttpClient();
  private final AtomicReference<Readiness> readiness = new AtomicReference<>(Readiness.ready());
  private final List<AutoCloseable> toClose = new ArrayList<>();
  private InMemoryEventLog log;
  private EdgeMetrics metrics;
  private EdgeServer server;

  @BeforeEach
  void startServer() {
    start(new InMemoryEventLog(100_000), 200);
  }

  private void start(EventLog eventLog, long heartbeatMillis) {
    if (eventLog instanceof InMemoryEventLog inMemory) {
      log = inMemory;
    }
    metrics = new EdgeMetrics();
    EdgeConfig config =
        EdgeConfig.fromMap(
            Map.of(
                "bootstrap.servers", "unused:9092",
                "http.port", "0",
                "heartbeat.interval.ms", Long.toString(heartbeatMillis)));
    server = EdgeServer.start(config, eventLog, readiness::get, metrics);
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable closeable : toClose) {
      closeable.close();
    }
    server.close();
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.port() + path);
  }

  private URI events(String tenant) {
    return uri("/v1/tenants/" + tenant + "/events");
  }

  private SseTestClient client(URI uri, String lastEventId) {
    SseTestClient client = SseTestClient.connect(uri, lastEventId);
    toClose.add(client);
    return client;
  }

  private static String envelope(String tenant, long id) {
    return "{\"id\":\"" + id + "\",\"tenant\":\"" + tenant + "\",\"type\":\"orders.updated\"}";
  }

  private void append(String tenant, long fromId, long toId) {
    for (long id = fromId; id <= toId; id++) {
      log.append(new Event(tenant, id, envelope(tenant, id)));
    }
  }

  private static List<Long> range(long from, long to) {
    return LongStream.rangeClosed(from, to).boxed().toList();
  }

  private void awaitSubscribers(int count) {
    await().atMost(WAIT).until(() -> log.subscriberCount() == count);
  }

  private HttpResponse<String> get(URI uri, String... headers) throws Exception {
    return TestHttp.get(http, WAIT, uri, headers);
  }

  @Test
  void liveEventsArriveWithTheirIdAndEnvelope() {
    SseTestClient client = client(events("acme"), null);
    awaitSubscribers(1);

    append("acme", 1, 3);

    await().atMost(WAIT).until(() -> client.messages.size() == 3);
    assertThat(client.ids()).containsExactly(1L, 2L, 3L);
    MessageEvent second = client.messages.get(1);
    assertThat(second.getData()).isEqualTo(envelope("acme", 2));
    assertThat(second.getEventName()).isEqualTo(MessageEvent.DEFAULT_EVENT_NAME); // unnamed
  }

  @Test
  void withoutAPositionOnlyLiveEventsAreSent() {
    append("acme", 1, 5);
    SseTestClient client = client(events("acme"), null);
    awaitSubscribers(1);

    append("acme", 6, 7);

    await().atMost(WAIT).until(() -> client.messages.size() == 2);
    assertThat(client.ids()).containsExactly(6L, 7L);
  }

  @Test
  void resumingWithLastEventIdReplaysTheRestThenFollowsLive() {
    append("acme", 1, 5);
    SseTestClient client = client(events("acme"), "2");
    await().atMost(WAIT).until(() -> client.messages.size() == 3);
    assertThat(client.ids()).containsExactly(3L, 4L, 5L);

    append("acme", 6, 7);

    await().atMost(WAIT).until(() -> client.messages.size() == 5);
    assertThat(client.ids()).containsExactly(3L, 4L, 5L, 6L, 7L);
    assertThat(client.messages.get(0).getData()).isEqualTo(envelope("acme", 3));
  }

  @Test
  void theLastEventIdQueryParameterResumesToo() {
    append("acme", 1, 4);
    SseTestClient client = client(URI.create(events("acme") + "?lastEventId=1"), null);

    await().atMost(WAIT).until(() -> client.messages.size() == 3);
    assertThat(client.ids()).containsExactly(2L, 3L, 4L);
  }

  @Test
  void theHeaderWinsOverTheQueryParameter() {
    append("acme", 1, 4);
    SseTestClient client = client(URI.create(events("acme") + "?lastEventId=1"), "3");

    await().atMost(WAIT).until(() -> client.messages.size() == 1);
    append("acme", 5, 5);
    await().atMost(WAIT).until(() -> client.messages.size() == 2);
    assertThat(client.ids()).containsExactly(4L, 5L);
  }

  @Test
  void reconnectingAfterADisconnectLosesNothing() {
    append("acme", 1, 3);
    SseTestClient first = client(events("acme"), "0");
    await().atMost(WAIT).until(() -> first.messages.size() == 3);
    first.close();
    awaitSubscribers(0);

    append("acme", 4, 6); // published while nobody listens
    SseTestClient second = client(events("acme"), Long.toString(first.lastId()));
    await().atMost(WAIT).until(() -> second.messages.size() == 3);
    append("acme", 7, 7);

    await().atMost(WAIT).until(() -> second.messages.size() == 4);
    assertThat(second.ids()).containsExactly(4L, 5L, 6L, 7L);
  }

  @Test
  void handoverHasNoGapAndNoDuplicateWhenEventsArriveBetweenSubscribeAndReplay() {
    server.close();
    log = new InMemoryEventLog(100_000);
    append("acme", 1, 10);
    // Appends right before and right after the replay is read, i.e. while the session is
    // subscribed but has not written anything yet: the first batch is in both the replay and the
    // live queue, the second only in the live queue.
    EventLog racing =
        new EventLog() {
          private final AtomicLong next = new AtomicLong(11);

          @Override
          public List<Event> readAfter(String tenant, long afterId) {
            appendNext(3);
            List<Event> replay = log.readAfter(tenant, afterId);
            appendNext(3);
            return replay;
          }

          private void appendNext(int count) {
            for (int i = 0; i < count; i++) {
              long id = next.getAndIncrement();
              log.append(new Event("acme", id, envelope("acme", id)));
            }
          }

          @Override
          public Subscription subscribe(String tenant, Consumer<Event> listener) {
            return log.subscribe(tenant, listener);
          }

          @Override
          public java.util.Optional<ClusterTime> latestClusterTime() {
            return log.latestClusterTime();
          }
        };
    start(racing, 200);

    SseTestClient client = client(events("acme"), "4");
    await().atMost(WAIT).until(() -> client.lastId() == 16);
    append("acme", 17, 18);

    await().atMost(WAIT).until(() -> client.lastId() == 18);
    assertThat(client.ids()).isEqualTo(range(5, 18));
  }

  @Test
  void handoverUnderConcurrentAppendsIsConsecutive() throws Exception {
    List<SseTestClient> clients = new CopyOnWriteArrayList<>();
    List<Long> positions = new CopyOnWriteArrayList<>();
    long last;
    // Events keep flowing, within 1000 of the connected clients, while clients connect mid-stream.
    try (PacedWriter writer =
        new PacedWriter(
            log,
            "acme",
            id -> envelope("acme", id),
            200,
            1000,
            () -> clients.stream().mapToLong(SseTestClient::lastId).min().orElse(Long.MAX_VALUE))) {
      for (int i = 1; i <= 4; i++) {
        long minimum = 500L * i;
        await().atMost(WAIT).until(() -> writer.appended() >= minimum);
        long position = writer.appended() / 2; // an old position: replay, then the live tail
        positions.add(position);
        clients.add(client(events("acme"), Long.toString(position)));
      }
      for (SseTestClient client : clients) {
        long connectedAt = writer.appended();
        await().atMost(WAIT).until(() -> client.lastId() >= connectedAt + 500);
      }
      writer.close();
      last = writer.appended();
    }
    for (int i = 0; i < clients.size(); i++) {
      SseTestClient client = clients.get(i);
      await().atMost(WAIT).until(() -> client.lastId() == last);
      assertThat(client.ids()).as("client %d", i).isEqualTo(range(positions.get(i) + 1, last));
    }
  }

  @Test
  void aClientNeverSeesAnotherTenantsEvents() {
    SseTestClient acme = client(events("acme"), null);
    SseTestClient globex = client(events("globex"), null);
    awaitSubscribers(2);

    for (long id = 1; id <= 5; id++) {
      append("acme", id, id);
      append("globex", id, id);
      append("initech", id, id);
    }

    await().atMost(WAIT).until(() -> acme.messages.size() == 5 && globex.messages.size() == 5);
    assertThat(acme.messages).allMatch(m -> m.getData().contains("\"tenant\":\"acme\""));
    assertThat(globex.messages).allMatch(m -> m.getData().contains("\"tenant\":\"globex\""));
    append("globex", 6, 6);
    append("acme", 6, 6);
    await().atMost(WAIT).until(() -> acme.messages.size() == 6);
    assertThat(acme.ids()).isEqualTo(range(1, 6));
  }

  @Test
  void heartbeatCommentsCarryTheLatestClusterTime() {
    log.observe(new ClusterTime(1700000000, 1));
    SseTestClient client = client(events("acme"), null);

    await()
        .atMost(WAIT)
        .until(
            () ->
                client.comments.stream()
                    .anyMatch(c -> c.contains("heartbeat clusterTime=1700000000.1")));
    log.observe(new ClusterTime(1700000005, 2));
    await()
        .atMost(WAIT)
        .until(
            () ->
                client.comments.stream()
                    .anyMatch(c -> c.contains("heartbeat clusterTime=1700000005.2")));
  }

  @Test
  void theStreamStartsWithHeadersAndARetryLine() throws Exception {
    append("acme", 1, 2);
    HttpResponse<InputStream> response =
        http.send(
            HttpRequest.newBuilder(events("acme")).header("Last-Event-ID", "1").build(),
            HttpResponse.BodyHandlers.ofInputStream());
    try (BufferedReader body =
        new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.headers().firstValue("Content-Type")).contains("text/event-stream");
      assertThat(response.headers().firstValue("Cache-Control")).contains("no-cache, no-transform");
      assertThat(response.headers().firstValue("X-Accel-Buffering")).contains("no");

      assertThat(body.readLine()).isEqualTo("retry: 2000");
      assertThat(body.readLine()).isEmpty();
      assertThat(body.readLine()).isEqualTo("id: 2");
      assertThat(body.readLine()).isEqualTo("data: " + envelope("acme", 2));
      assertThat(body.readLine()).isEmpty();
    }
  }

  @Test
  void aClosedClientIsUnsubscribed() {
    SseTestClient client = client(events("acme"), null);
    awaitSubscribers(1);
    await().atMost(WAIT).until(() -> server.openStreams() == 1);

    client.close();

    awaitSubscribers(0);
    await().atMost(WAIT).until(() -> server.openStreams() == 0);
    assertThat(metrics.scrape()).contains("changecast_edge_sse_connections{transport=\"sse\"} 0.0");
  }

  @Test
  void invalidLastEventIdIsABadRequestBeforeTheStreamOpens() throws Exception {
    for (String bad : List.of("abc", "-1", "+5", "1.5", "7a", "0x10", "99999999999999999999")) {
      HttpResponse<String> response = get(events("acme"), "Last-Event-ID", bad);
      assertThat(response.statusCode()).as(bad).isEqualTo(400);
      JsonNode body = json(response);
      assertThat(body.get("error").asText()).isEqualTo("invalid_last_event_id");
      assertThat(body.get("detail").asText()).contains("Last-Event-ID header");
    }
    HttpResponse<String> query = get(URI.create(events("acme") + "?lastEventId=x"));
    assertThat(query.statusCode()).isEqualTo(400);
    assertThat(json(query).get("detail").asText()).contains("lastEventId query parameter");
    assertThat(log.subscriberCount()).isZero();
  }

  @Test
  void invalidTenantIsABadRequest() throws Exception {
    for (String bad : List.of("a%20b", "x".repeat(129), "caf%C3%A9")) {
      HttpResponse<String> response = get(events(bad));
      assertThat(response.statusCode()).as(bad).isEqualTo(400);
      assertThat(json(response).get("error").asText()).isEqualTo("invalid_tenant");
    }
  }

  @Test
  void invalidTenantDetailSaysWhyAndDotSegmentsAreRefused() throws Exception {
    HttpResponse<String> space = get(events("a%20b"));
    assertThat(json(space).get("detail").asText())
        .isEqualTo(
            "the tenant id \"a b\" has U+0020 at index 1; a tenant id is 1 to 128 of the"
                + " characters A-Z a-z 0-9 . _ - (not . or ..)");
    for (String dots : List.of("%2E%2E", "%2e", "..")) {
      HttpResponse<String> response = get(events(dots));
      assertThat(response.statusCode()).as(dots).isIn(400, 404);
      assertThat(log.subscriberCount()).as(dots).isZero();
    }
  }

  @Test
  void unknownPathsAreJsonErrorsToo() throws Exception {
    HttpResponse<String> response = get(uri("/v1/nothing"));
    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(json(response).get("error").asText()).isEqualTo("not_found");
  }

  @Test
  void healthEndpointsFollowReadiness() throws Exception {
    HttpResponse<String> live = get(uri("/health/live"));
    assertThat(live.statusCode()).isEqualTo(200);
    assertThat(json(live).get("status").asText()).isEqualTo("UP");
    HttpResponse<String> ready = get(uri("/health/ready"));
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(json(ready).get("status").asText()).isEqualTo("UP");
    assertThat(get(uri("/metrics")).body()).contains("changecast_edge_ready 1.0");

    readiness.set(Readiness.notReady("Kafka Streams is REBALANCING"));
    assertThat(get(uri("/metrics")).body()).contains("changecast_edge_ready 0.0");

    HttpResponse<String> notReady = get(uri("/health/ready"));
    assertThat(notReady.statusCode()).isEqualTo(503);
    assertThat(json(notReady).get("status").asText()).isEqualTo("DOWN");
    assertThat(json(notReady).get("detail").asText()).isEqualTo("Kafka Streams is REBALANCING");
    assertThat(get(uri("/health/live")).statusCode()).isEqualTo(200);
    HttpResponse<String> stream = get(events("acme"));
    assertThat(stream.statusCode()).isEqualTo(503);
    assertThat(json(stream).get("error").asText()).isEqualTo("not_ready");
  }

  @Test
  void metricsCountOpenStreamsAndEventsSent() throws Exception {
    SseTestClient client = client(events("acme"), null);
    awaitSubscribers(1);
    append("acme", 1, 3);
    await().atMost(WAIT).until(() -> client.messages.size() == 3);

    HttpResponse<String> response = get(uri("/metrics"));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type"))
        .hasValueSatisfying(type -> assertThat(type).startsWith("text/plain"));
    assertThat(response.body())
        .contains("changecast_edge_sse_connections{transport=\"sse\"} 1.0")
        .contains("changecast_edge_sse_events_sent_total{transport=\"sse\"} 3.0");
  }

  @Test
  void closingTheServerEndsTheStreams() {
    SseTestClient client = client(events("acme"), null);
    awaitSubscribers(1);

    server.close();

    await().atMost(WAIT).until(() -> client.closed.get() >= 1);
    awaitSubscribers(0);
  }
}
