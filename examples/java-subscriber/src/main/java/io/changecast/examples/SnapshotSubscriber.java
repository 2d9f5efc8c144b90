package io.changecast.examples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.launchdarkly.eventsource.MessageEvent;
import com.launchdarkly.eventsource.background.BackgroundEventSource;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A tenant's current documents, kept live without a race: it takes a snapshot as of id {@code N}
 * (paged, {@code GET /v1/tenants/{t}/snapshot}), then follows the stream from {@code Last-Event-ID:
 * N} with {@link JavaSubscriber}, so every change after the snapshot is applied exactly once. After
 * a {@code reset} it takes a new snapshot.
 *
 * <p>Run: {@code CHANGECAST_TOKEN=<jwt> java ... io.changecast.examples.SnapshotSubscriber
 * http://127.0.0.1:8080 acme}
 */
public final class SnapshotSubscriber implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final URI edge;
  private final String tenant;
  private final String token;
  private final int pageSize;
  private final HttpClient http = HttpClient.newHttpClient();
  // Snapshots are taken here, never on the stream's thread (which a new snapshot closes).
  private final ExecutorService snapshots = Executors.newSingleThreadExecutor();

  /** collection + " " + documentKey (JSON) -> the document. */
  private Map<String, JsonNode> documents = Map.of();

  private BackgroundEventSource source;
  private int generation;
  private String asOf;
  private int snapshotsTaken;

  private SnapshotSubscriber(URI edge, String tenant, String token, int pageSize) {
    this.edge = edge;
    this.tenant = tenant;
    this.token = token;
    this.pageSize = pageSize;
  }

  /** Takes {@code tenant}'s snapshot in pages of {@code pageSize} documents and follows it. */
  public static SnapshotSubscriber start(URI edge, String tenant, String token, int pageSize)
      throws IOException, InterruptedException {
    SnapshotSubscriber subscriber = new SnapshotSubscriber(edge, tenant, token, pageSize);
    subscriber.snapshotAndFollow();
    return subscriber;
  }

  /** A copy of the current documents: collection + " " + documentKey (JSON) -> document. */
  public synchronized Map<String, JsonNode> documents() {
    return new HashMap<>(documents);
  }

  /** The id the latest snapshot is as of. */
  public synchronized String asOf() {
    return asOf;
  }

  /** How many snapshots were taken: 1, plus one per {@code reset}. */
  public synchronized int snapshotsTaken() {
    return snapshotsTaken;
  }

  private void snapshotAndFollow() throws IOException, InterruptedException {
    BackgroundEventSource previous;
    synchronized (this) {
      previous = source;
      source = null;
      generation++; // events of the previous stream are ignored from here on
    }
    if (previous != null) {
      previous.close();
    }
    Map<String, JsonNode> snapshot = new HashMap<>();
    String cursor = null;
    String snapshotAsOf = null;
    do {
      JsonNode page = snapshotPage(cursor);
      if (page == null) { // 410: the cursor is too old, start the snapshot again
        snapshot.clear();
        cursor = null;
        snapshotAsOf = null;
        continue;
      }
      snapshotAsOf = page.path("asOf").asText(); // the same N on every page
      for (JsonNode entry : page.path("documents")) {
        String key = key(entry.path("collection"), entry.path("documentKey"));
        snapshot.put(key, entry.get("document"));
      }
      cursor = page.path("next").isTextual() ? page.path("next").asText() : null;
    } while (cursor != null || snapshotAsOf == null);
    synchronized (this) {
      documents = snapshot;
      asOf = snapshotAsOf;
      snapshotsTaken++;
      int stream = generation;
      // The stream from Last-Event-ID: N sends exactly the changes after the snapshot.
      source = JavaSubscriber.subscribe(edge, tenant, token, asOf, e -> onEvent(stream, e));
    }
  }

  private JsonNode snapshotPage(String cursor) throws IOException, InterruptedException {
    String query = "?limit=" + pageSize;
    if (cursor != null) {
      query += "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8);
    }
    HttpRequest request =
        HttpRequest.newBuilder(edge.resolve("/v1/tenants/" + tenant + "/snapshot" + query))
            .header("Authorization", "Bearer " + token)
            .build();
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() == 410) {
      return null;
    }
    if (response.statusCode() != 200) {
      throw new IOException("snapshot: HTTP " + response.statusCode() + " " + response.body());
    }
    return JSON.readTree(response.body());
  }

  private void onEvent(int stream, MessageEvent event) {
    synchronized (this) {
      if (stream != generation) {
        return; // from a stream a new snapshot replaced
      }
    }
    if ("reset".equals(event.getEventName())) {
      snapshots.execute(this::resnapshot); // the documents may have changed unseen
      return;
    }
    if (!"message".equals(event.getEventName())) {
      return; // overflow: the source reconnects with Last-Event-ID by itself
    }
    try {
      apply(stream, JSON.readTree(event.getData()));
    } catch (IOException e) {
      throw new IllegalStateException("not an envelope: " + event.getData(), e);
    }
  }

  private synchronized void apply(int stream, JsonNode envelope) {
    if (stream != generation || !envelope.has("documentKey")) {
      return; // published events and resets are not documents
    }
    String key = key(envelope.path("collection"), envelope.path("documentKey"));
    switch (envelope.path("operation").asText()) {
      case "insert", "replace", "update" -> {
        if (envelope.has("document")) {
          documents.put(key, envelope.get("document"));
        } else {
          // An update without a post-image: apply envelope.changes to the previous version,
          // or, as here, take a new snapshot.
          snapshots.execute(this::resnapshot);
        }
      }
      case "delete" -> documents.remove(key);
      default -> {}
    }
  }

  private void resnapshot() {
    try {
      snapshotAndFollow();
    } catch (IOException | InterruptedException e) {
      System.err.println("snapshot failed: " + e);
    }
  }

  private static String key(JsonNode collection, JsonNode documentKey) {
    return collection.asText() + " " + documentKey;
  }

  @Override
  public void close() {
    snapshots.shutdownNow();
    BackgroundEventSource last;
    synchronized (this) {
      last = source;
      source = null;
      generation++;
    }
    if (last != null) {
      last.close();
    }
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      System.err.println("Usage: SnapshotSubscriber <edge-url> <tenant>");
      System.exit(2);
    }
    try (SnapshotSubscriber subscriber =
        start(URI.create(args[0]), args[1], System.getenv("CHANGECAST_TOKEN"), 500)) {
      System.out.println(
          subscriber.documents().size() + " documents as of id " + subscriber.asOf());
      new CountDownLatch(1).await(); // until Ctrl-C
    }
  }
}
