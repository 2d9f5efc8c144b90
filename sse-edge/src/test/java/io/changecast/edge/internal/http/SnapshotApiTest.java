package io.changecast.edge.internal.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.launchdarkly.eventsource.MessageEvent;
import io.changecast.edge.auth.TestTokens;
import io.changecast.edge.internal.log.Event;
import io.changecast.edge.internal.log.InMemoryEventLog;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * The snapshot API and {@code ?snapshot=true} over a real server and an in-memory log that keeps
 * the document state: pages pinned to one id while writes go on, then the stream from that id gives
 * exactly the changes after it; filtered streams see the changes that make a document stop
 * matching.
 */
class SnapshotApiTest extends EdgeTestBase {

  private void startWithDocuments(int retention, String... settings) {
    start(new InMemoryEventLog(retention, true), settings);
  }

  private long nextId(String tenant) {
    return log.latestId(tenant).orElse(0) + 1;
  }

  private long write(String tenant, String op, String key, String rest) {
    long id = nextId(tenant);
    log.append(
        new Event(
            tenant,
            id,
            "{\"id\":\""
                + id
                + "\",\"tenant\":\""
                + tenant
                + "\",\"type\":\"orders."
                + op
                + "\",\"operation\":\""
                + op
                + "\",\"database\":\"app\",\"collection\":\"orders\",\"documentKey\":{\"_id\":\""
                + key
                + "\"}"
                + rest
                + "}"));
    return id;
  }

  private long insert(String tenant, String key, String status) {
    return write(
        tenant,
        "insert",
        key,
        ",\"document\":{\"_id\":\"" + key + "\",\"status\":\"" + status + "\"}");
  }

  private long setStatus(String tenant, String key, String status) {
    return write(
        tenant,
        "update",
        key,
        ",\"document\":{\"_id\":\""
            + key
            + "\",\"status\":\""
            + status
            + "\"},"
            + "\"changes\":{\"updatedFields\":{\"status\":\""
            + status
            + "\"}}");
  }

  private long delete(String tenant, String key) {
    return write(tenant, "delete", key, "");
  }

  private JsonNode page(String tenant, String query) throws Exception {
    HttpResponse<String> response = get(uri("/v1/tenants/" + tenant + "/snapshot" + query));
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type").orElse(""))
        .startsWith("application/json");
    return JSON.readTree(response.body());
  }

  /** Documents by _id as a client holds them: a map the snapshot fills and events change. */
  private static void put(Map<String, String> state, JsonNode document) {
    state.put(document.path("_id").asText(), document.path("status").asText());
  }

  @Test
  void pagesStayAsOfOneIdWhileWritesGoOnThenTheStreamFromItConverges() throws Exception {
    startWithDocuments(1000);
    for (int i = 0; i < 10; i++) {
      insert("acme", "o" + i, "open");
    }
    Map<String, String> expected = new TreeMap<>();
    for (int i = 0; i < 10; i++) {
      expected.put("o" + i, "open");
    }
    Map<String, String> state = new TreeMap<>();
    JsonNode first = page("acme", "?limit=3");
    String asOf = first.path("asOf").asText();
    assertThat(asOf).isEqualTo("10");
    JsonNode current = first;
    int pages = 1;
    int writes = 0;
    while (true) {
      assertThat(current.path("asOf").asText()).isEqualTo(asOf);
      assertThat(current.path("documents").size()).isLessThanOrEqualTo(3);
      for (JsonNode entry : current.path("documents")) {
        assertThat(entry.path("collection").asText()).isEqualTo("orders");
        assertThat(Long.parseLong(entry.path("id").asText())).isLessThanOrEqualTo(10);
        put(state, entry.path("document"));
      }
      // writes between the pages: pages after the first must not see them
      setStatus("acme", "o" + (9 - writes), "paid");
      delete("acme", "o" + writes);
      insert("acme", "n" + writes, "open");
      writes++;
      if (current.path("next").isNull()) {
        break;
      }
      current = page("acme", "?limit=3&cursor=" + q(current.path("next").asText()));
      pages++;
    }
    assertThat(pages).isEqualTo(4);
    assertThat(state).isEqualTo(expected);

    // The stream from asOf gives exactly the changes after the snapshot.
    SseTestClient client = SseTestClient.connect(uri("/v1/tenants/acme/events"), asOf);
    toClose.add(client);
    long last = log.latestId("acme").getAsLong();
    await().atMost(WAIT).until(() -> client.lastId() == last);
    assertThat(client.ids()).isEqualTo(range(11, last));
    applyEvents(state, client.messages.stream().toList(), document -> true);
    assertThat(state).isEqualTo(currentState("acme", ""));
  }

  /**
   * Applies data events to a client's state: a document that matches the client's filter sets, a
   * document that does not and no document remove.
   */
  private static void applyEvents(
      Map<String, String> state, List<MessageEvent> messages, Predicate<JsonNode> matches)
      throws Exception {
    for (MessageEvent message : messages) {
      if (!MessageEvent.DEFAULT_EVENT_NAME.equals(message.getEventName())) {
        continue;
      }
      JsonNode envelope = JSON.readTree(message.getData());
      String key = envelope.path("documentKey").path("_id").asText();
      JsonNode document = envelope.get("document");
      if (document == null || !matches.test(document)) {
        state.remove(key);
      } else {
        put(state, document);
      }
    }
  }

  /** The whole current state as one snapshot (all pages). */
  private Map<String, String> currentState(String tenant, String query) throws Exception {
    Map<String, String> state = new TreeMap<>();
    JsonNode page = page(tenant, "?limit=2" + query);
    while (true) {
      for (JsonNode entry : page.path("documents")) {
        put(state, entry.path("document"));
      }
      if (page.path("next").isNull()) {
        return state;
      }
      page = page(tenant, "?limit=2" + query + "&cursor=" + q(page.path("next").asText()));
    }
  }

  @Test
  void aFilteredStreamSeesTheChangesThatMakeADocumentStopMatching() throws Exception {
    startWithDocuments(1000);
    insert("acme", "a", "paid");
    insert("acme", "b", "paid");
    insert("acme", "c", "open");
    String where = q("document.status = \"paid\"");
    JsonNode snapshot = page("acme", "?where=" + where);
    assertThat(snapshot.path("documents").size()).isEqualTo(2);
    Map<String, String> state = new TreeMap<>();
    snapshot.path("documents").forEach(e -> put(state, e.path("document")));
    SseTestClient client =
        SseTestClient.connect(
            uri("/v1/tenants/acme/events?where=" + where), snapshot.path("asOf").asText());
    toClose.add(client);
    long stopsMatching = setStatus("acme", "a", "refunded"); // matched before, not after
    long deleted = delete("acme", "b"); // a delete carries no document
    setStatus("acme", "c", "open"); // never matched: not sent
    long startsMatching = setStatus("acme", "c", "paid");
    await().atMost(WAIT).until(() -> client.lastId() == startsMatching);
    assertThat(client.ids()).containsExactly(stopsMatching, deleted, startsMatching);
    applyEvents(
        state,
        client.messages.stream().toList(),
        document -> "paid".equals(document.path("status").asText()));
    assertThat(state).isEqualTo(currentState("acme", "&where=" + where)).containsOnlyKeys("c");
  }

  @Test
  void theReplayDecidesLikeTheLiveTailAndCollectionsSelect() throws Exception {
    startWithDocuments(1000);
    insert("acme", "a", "paid");
    long invoice = nextId("acme");
    log.append(
        new Event(
            "acme",
            invoice,
            "{\"id\":\""
                + invoice
                + "\",\"tenant\":\"acme\",\"type\":\"invoices.insert\","
                + "\"operation\":\"insert\",\"database\":\"app\",\"collection\":\"invoices\","
                + "\"documentKey\":{\"_id\":\"i\"},\"document\":{\"_id\":\"i\",\"status\":\"paid\"}}"));
    String where = q("document.status = 'paid'");
    JsonNode invoices = page("acme", "?collections=invoices&where=" + where);
    assertThat(invoices.path("documents")).hasSize(1);
    assertThat(invoices.path("documents").get(0).path("collection").asText()).isEqualTo("invoices");
    assertThat(page("acme", "?collections=orders,invoices").path("documents")).hasSize(2);
    String asOf = invoices.path("asOf").asText();
    // the changes happen before the client connects: it gets them from the replay
    long stopsMatching = setStatus("acme", "a", "open");
    setStatus("acme", "a", "closed"); // matched neither before nor after: not sent
    long deleted = nextId("acme");
    log.append(
        new Event(
            "acme",
            deleted,
            "{\"id\":\""
                + deleted
                + "\",\"tenant\":\"acme\",\"type\":\"invoices.delete\","
                + "\"operation\":\"delete\",\"database\":\"app\",\"collection\":\"invoices\","
                + "\"documentKey\":{\"_id\":\"i\"}}"));
    SseTestClient client =
        SseTestClient.connect(uri("/v1/tenants/acme/events?where=" + where), asOf);
    toClose.add(client);
    await().atMost(WAIT).until(() -> client.lastId() == deleted);
    assertThat(client.ids()).containsExactly(stopsMatching, deleted);
    // and /recent filters the same way
    HttpResponse<String> recent =
        get(uri("/v1/tenants/acme/events/recent?after=" + asOf + "&where=" + where));
    List<String> ids = new ArrayList<>();
    JSON.readTree(recent.body()).path("events").forEach(e -> ids.add(e.path("id").asText()));
    assertThat(ids).containsExactly(Long.toString(stopsMatching), Long.toString(deleted));
  }

  @Test
  void oneRequestSendsTheSnapshotThenSnapshotEndThenTheTailAndAReconnectResumesAfterIt()
      throws Exception {
    startWithDocuments(1000);
    insert("acme", "a", "open");
    insert("acme", "b", "open");
    delete("acme", "a");
    insert("acme", "c", "paid");
    insert("globex", "g", "open");
    SseTestClient client =
        SseTestClient.connect(uri("/v1/tenants/acme/events?snapshot=true&collections=orders"));
    toClose.add(client);
    await()
        .atMost(WAIT)
        .until(
            () -> client.named().stream().anyMatch(m -> m.getEventName().equals("snapshot-end")));
    List<MessageEvent> named = client.named();
    assertThat(named)
        .extracting(MessageEvent::getEventName)
        .containsExactly("snapshot", "snapshot", "snapshot-end");
    List<String> keys = new ArrayList<>();
    for (MessageEvent m : named.subList(0, 2)) {
      JsonNode entry = JSON.readTree(m.getData());
      keys.add(entry.path("documentKey").path("_id").asText());
      assertThat(entry.has("document") && entry.has("id") && entry.has("collection")).isTrue();
    }
    assertThat(keys).containsExactly("b", "c");
    MessageEvent end = named.get(2);
    assertThat(end.getLastEventId()).isEqualTo("4");
    assertThat(JSON.readTree(end.getData()).path("asOf").asText()).isEqualTo("4");
    long live = setStatus("acme", "b", "paid");
    await().atMost(WAIT).until(() -> client.lastId() == live);
    assertThat(client.ids()).containsExactly(live);

    // A reconnect with Last-Event-ID resumes after it: no second snapshot.
    SseTestClient again = SseTestClient.connect(uri("/v1/tenants/acme/events?snapshot=true"), "4");
    toClose.add(again);
    await().atMost(WAIT).until(() -> again.lastId() == live);
    assertThat(again.named()).isEmpty();
    assertThat(again.ids()).containsExactly(live);
  }

  @Test
  void theWebSocketEndpointSendsTheSnapshotTooThenResumesAfterIt() throws Exception {
    startWithDocuments(1000);
    insert("acme", "a", "paid");
    insert("acme", "b", "open");
    String where = q("document.status = 'paid'");
    URI ws =
        URI.create(
            "ws://127.0.0.1:" + server.port() + "/v1/tenants/acme/ws?snapshot=true&where=" + where);
    WsTestClient client = WsTestClient.connect(http, ws);
    toClose.add(client);
    await().atMost(WAIT).until(() -> !client.named("snapshot-end").isEmpty());
    assertThat(client.named("snapshot"))
        .extracting(m -> m.path("data").path("documentKey").path("_id").asText())
        .containsExactly("a");
    JsonNode end = client.named("snapshot-end").get(0);
    assertThat(end.path("id").asText()).isEqualTo("2");
    assertThat(end.path("data").path("asOf").asText()).isEqualTo("2");
    long stops = setStatus("acme", "a", "open");
    await().atMost(WAIT).until(() -> client.lastId() == stops);
    assertThat(client.ids()).containsExactly(stops);
  }

  @Test
  void aCursorWhoseChangesLeftTheRetentionIs410AndBadOnesAre400() throws Exception {
    startWithDocuments(5);
    for (int i = 0; i < 4; i++) {
      insert("acme", "o" + i, "open");
    }
    JsonNode first = page("acme", "?limit=1");
    String cursor = first.path("next").asText();
    for (int i = 0; i < 6; i++) {
      setStatus("acme", "o0", "s" + i); // pushes the changes after asOf out of the retention
    }
    HttpResponse<String> expired =
        get(uri("/v1/tenants/acme/snapshot?limit=1&cursor=" + q(cursor)));
    assertThat(expired.statusCode()).isEqualTo(410);
    assertThat(JSON.readTree(expired.body()).path("error").asText()).isEqualTo("snapshot_expired");
    assertThat(JSON.readTree(expired.body()).path("detail").asText()).contains("new snapshot");

    Map<String, String> bad = new LinkedHashMap<>();
    bad.put("/v1/tenants/acme/snapshot?cursor=%25%25", "bad_cursor");
    bad.put(
        "/v1/tenants/acme/snapshot?cursor=" + q(cursor) + "&where=" + q("id = 1"), "bad_cursor");
    bad.put("/v1/tenants/globex/snapshot?cursor=" + q(cursor), "bad_cursor");
    bad.put("/v1/tenants/acme/snapshot?limit=0", "invalid_limit");
    bad.put("/v1/tenants/acme/snapshot?limit=10001", "invalid_limit");
    bad.put("/v1/tenants/acme/snapshot?where=" + q("document.x = "), "bad_filter");
    bad.put("/v1/tenants/acme/snapshot?collections=a,,b", "invalid_collections");
    bad.put("/v1/tenants/a%2Fb/snapshot", "invalid_tenant");
    for (Map.Entry<String, String> request : bad.entrySet()) {
      HttpResponse<String> response = get(uri(request.getKey()));
      assertThat(response.statusCode()).as(request.getKey()).isEqualTo(400);
      assertThat(JSON.readTree(response.body()).path("error").asText())
          .as(request.getKey())
          .isEqualTo(request.getValue());
    }
  }

  @Test
  void theSnapshotNeedsATokenOfItsTenantAndShowsOnlyItsDocuments() throws Exception {
    startWithDocuments(100, "auth.mode", "jwt", "auth.jwt.hs256-secret", TestTokens.SECRET);
    insert("acme", "a", "open");
    insert("globex", "g", "open");
    TestTokens tokens = new TestTokens();
    URI acme = uri("/v1/tenants/acme/snapshot");
    assertThat(get(acme).statusCode()).isEqualTo(401);
    assertThat(get(acme, "Authorization", "Bearer " + tokens.hs256("globex")).statusCode())
        .isEqualTo(403);
    HttpResponse<String> ok = get(acme, "Authorization", "Bearer " + tokens.hs256("acme"));
    assertThat(ok.statusCode()).isEqualTo(200);
    JsonNode body = JSON.readTree(ok.body());
    assertThat(body.path("documents")).hasSize(1);
    assertThat(body.path("documents").get(0).path("documentKey").path("_id").asText())
        .isEqualTo("a");
    HttpResponse<String> viaQuery =
        get(uri("/v1/tenants/acme/snapshot?access_token=" + tokens.hs256("acme")));
    assertThat(viaQuery.statusCode()).isEqualTo(200);
  }

  @Test
  void withTheDocumentStateOffTheSnapshotIs501() throws Exception {
    start(100);
    HttpResponse<String> response = get(uri("/v1/tenants/acme/snapshot"));
    assertThat(response.statusCode()).isEqualTo(501);
    assertThat(JSON.readTree(response.body()).path("error").asText())
        .isEqualTo("snapshots_disabled");
  }

  @Test
  void metricsCountDocumentsAndSnapshots() throws Exception {
    startWithDocuments(100);
    insert("acme", "a", "open");
    insert("acme", "b", "open");
    delete("acme", "a");
    page("acme", "");
    String scrape = metrics.scrape();
    assertThat(scrape).contains("changecast_edge_documents 1.0");
    assertThat(scrape).contains("changecast_edge_snapshot_latency_seconds_count{kind=\"page\"} 1");
  }
}
