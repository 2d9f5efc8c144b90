package io.changecast.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.launchdarkly.eventsource.ConnectStrategy;
import com.launchdarkly.eventsource.ErrorStrategy;
import com.launchdarkly.eventsource.EventSource;
import com.launchdarkly.eventsource.MessageEvent;
import com.launchdarkly.eventsource.StreamHttpErrorException;
import com.launchdarkly.eventsource.background.BackgroundEventHandler;
import com.launchdarkly.eventsource.background.BackgroundEventSource;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A client keeping a copy of one tenant's documents (or of a {@link MirrorView} of them) the way
 * issue 20 tells applications to: take a snapshot as of an id N, then follow the stream from {@code
 * Last-Event-ID: N}, applying each event; a {@code reset} means a new snapshot. It takes the
 * snapshot either with {@code GET …/snapshot} page by page ({@link Mode#PAGED}) or with the one
 * request {@code GET …/events?snapshot=true} ({@link Mode#SNAPSHOT_EVENTS}), and disconnects at
 * random moments (also in the middle of a snapshot), reconnecting with its Last-Event-ID. Streams
 * are read with the project's SSE client library (LaunchDarkly okhttp-eventsource).
 *
 * <p>Its control loop runs on the caller's thread ({@link #run}); events are applied on the SSE
 * library's thread; both hold the monitor, and a connection's events count only while it is the
 * current one (its generation).
 */
final class DocumentMirror {

  /** How the snapshot is taken. */
  enum Mode {
    PAGED,
    SNAPSHOT_EVENTS
  }

  /** One document of the copy: collection and document key (normalized JSON text). */
  record Key(String collection, String documentKey) {}

  /** What the client did, for the log. */
  record Tally(
      int snapshots,
      int pages,
      int reconnects,
      int cutsInSnapshot,
      int resets,
      int gone,
      int eventsApplied) {}

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private static final String RESET = "reset";

  private final String name;
  private final URI edge;
  private final String tenant;
  private final MirrorView view;
  private final Mode mode;
  private final Random random;
  private final BlockingQueue<String> signals = new LinkedBlockingQueue<>();
  private final AtomicBoolean stopping = new AtomicBoolean();
  private final List<String> problems = new ArrayList<>();

  // guarded by this
  private Map<Key, JsonNode> documents = new HashMap<>();
  private long position = -1; // the id the copy is as of; -1: no copy yet
  private Map<Key, JsonNode> pending; // a snapshot=true snapshot being received
  private int generation;
  private boolean stale; // a reset arrived on the current connection
  private int cutAfter; // SNAPSHOT_EVENTS: disconnect after this many snapshot events (0: never)
  private BackgroundEventSource source;
  private int snapshots;
  private int pages;
  private int reconnects;
  private int cutsInSnapshot;
  private int resets;
  private int gone;
  private int eventsApplied;

  DocumentMirror(String name, URI edge, String tenant, MirrorView view, Mode mode, long seed) {
    this.name = name;
    this.edge = edge;
    this.tenant = tenant;
    this.view = view;
    this.mode = mode;
    this.random = new Random(seed);
  }

  String name() {
    return name;
  }

  String tenant() {
    return tenant;
  }

  MirrorView view() {
    return view;
  }

  Mode mode() {
    return mode;
  }

  /**
   * Takes snapshots and follows the stream until {@link #stop}: after each snapshot 1-4 random
   * disconnects and reconnects (with the Last-Event-ID), 20-1,500 ms apart, then a new snapshot.
   * Returns with a connection open that resumes from the last id.
   */
  void run() throws InterruptedException {
    while (!stopping.get()) {
      startOver();
      int rounds = 1 + random.nextInt(4);
      for (int round = 0; round < rounds && !stopping.get(); round++) {
        String signal = signals.poll(20 + random.nextInt(1_480), TimeUnit.MILLISECONDS);
        if (stopping.get()) {
          break;
        }
        if (RESET.equals(signal)) {
          break; // a new snapshot
        }
        reconnect();
      }
    }
    if (needsSnapshot()) {
      startOver();
    } else {
      reconnect();
    }
  }

  /** Ends {@link #run}'s loop. */
  void stop() {
    stopping.set(true);
    signals.add("stop");
  }

  /** Closes the connection. */
  synchronized void close() {
    closeSource();
  }

  /**
   * Whether the copy is as of {@code lastId} or later; after a reset that arrived once {@link #run}
   * returned, takes the new snapshot first.
   */
  boolean caughtUp(long lastId) {
    if (isStale()) {
      try {
        startOver();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
    }
    return position() >= lastId;
  }

  private synchronized boolean isStale() {
    return stale;
  }

  /** The id the copy is as of (-1 before the first snapshot). */
  synchronized long position() {
    return position;
  }

  /** A copy of the documents. */
  synchronized Map<Key, JsonNode> documents() {
    return Map.copyOf(documents);
  }

  /** What went against the API's promises (unexpected statuses, gaps, snapshots on resume). */
  synchronized List<String> problems() {
    return List.copyOf(problems);
  }

  synchronized Tally tally() {
    return new Tally(snapshots, pages, reconnects, cutsInSnapshot, resets, gone, eventsApplied);
  }

  private synchronized boolean needsSnapshot() {
    return position < 0 || stale;
  }

  /** A new snapshot, then the stream from its id. */
  private void startOver() throws InterruptedException {
    synchronized (this) {
      closeSource();
      documents = new HashMap<>();
      position = -1;
      pending = null;
      stale = false;
      snapshots++;
    }
    if (mode == Mode.SNAPSHOT_EVENTS) {
      synchronized (this) {
        cutAfter = random.nextInt(3) == 0 ? 1 + random.nextInt(40) : 0;
        open(null);
      }
      return;
    }
    Snapshot snapshot = pagedSnapshot();
    synchronized (this) {
      if (snapshot == null) {
        return; // problem recorded
      }
      documents = snapshot.documents();
      position = snapshot.asOf();
      open(Long.toString(position));
    }
  }

  /** Closes the connection and opens a new one resuming after the last id (or starts over). */
  private void reconnect() throws InterruptedException {
    synchronized (this) {
      if (!needsSnapshot()) {
        reconnects++;
        closeSource();
        if (mode == Mode.SNAPSHOT_EVENTS) {
          cutAfter = 0;
        }
        open(Long.toString(position));
        return;
      }
    }
    startOver();
  }

  private record Snapshot(long asOf, Map<Key, JsonNode> documents) {}

  /** {@code GET …/snapshot} page by page (3-15 documents a page), all pages as of one id. */
  private Snapshot pagedSnapshot() throws InterruptedException {
    for (int attempt = 0; attempt < 20; attempt++) {
      int limit = 3 + random.nextInt(13);
      Map<Key, JsonNode> copy = new HashMap<>();
      String cursor = null;
      long asOf = -1;
      boolean complete = false;
      while (true) {
        SnapshotPage page = SnapshotPage.get(edge, tenant, view, limit, cursor);
        synchronized (this) {
          pages++;
        }
        if (page.status() == 410) {
          synchronized (this) {
            gone++;
          }
          break; // the cursor is too old: start the snapshot again
        }
        if (page.status() == 503 || page.status() == -1) {
          // not ready (e.g. behind the pinned id), or the connection failed (the JDK client may
          // reuse a keep-alive connection the edge just closed as idle): back off, start again
          Thread.sleep(100);
          break;
        }
        if (page.status() != 200) {
          problem("snapshot page answered " + page.status() + ": " + page.body());
          return null;
        }
        if (asOf >= 0 && page.asOf() != asOf) {
          problem("snapshot pages of one cursor as of " + asOf + " and " + page.asOf());
        }
        asOf = page.asOf();
        for (JsonNode item : page.documents()) {
          Key key = key(item.path("collection").asText(), item.path("documentKey"));
          if (copy.put(key, MirrorJson.normalize(item.path("document"))) != null) {
            problem("snapshot listed " + key + " twice");
          }
        }
        cursor = page.next();
        if (cursor == null) {
          complete = true;
          break;
        }
      }
      if (complete) {
        return new Snapshot(asOf, copy);
      }
    }
    problem("no complete snapshot in 20 attempts");
    return null;
  }

  /** Opens a stream: with {@code lastEventId}, resuming after it; without, a fresh start. */
  private void open(String lastEventId) {
    generation++;
    int mine = generation;
    List<String> parameters = new ArrayList<>(view.streamParameters());
    if (mode == Mode.SNAPSHOT_EVENTS) {
      parameters.add(0, "snapshot=true");
      parameters.addAll(
          view.snapshotParameters().stream().filter(p -> p.startsWith("collections=")).toList());
    }
    String query = parameters.isEmpty() ? "" : "?" + String.join("&", parameters);
    URI uri = edge.resolve("/v1/tenants/" + tenant + "/events" + query);
    EventSource.Builder builder =
        new EventSource.Builder(ConnectStrategy.http(uri).readTimeout(60, TimeUnit.SECONDS))
            .errorStrategy(ErrorStrategy.alwaysContinue())
            .retryDelay(100, TimeUnit.MILLISECONDS);
    if (lastEventId != null) {
      builder.lastEventId(lastEventId);
    }
    source = new BackgroundEventSource.Builder(new Handler(mine), builder).build();
    source.start();
  }

  private void closeSource() {
    generation++;
    if (source != null) {
      source.close();
      source = null;
    }
  }

  private synchronized void opened(int connection) {
    if (connection != generation) {
      return;
    }
    if (mode == Mode.SNAPSHOT_EVENTS && position < 0) {
      pending = new HashMap<>(); // (re)connected without an id: a whole snapshot comes
    }
  }

  private synchronized void received(int connection, String event, MessageEvent message) {
    if (connection != generation || stale) {
      return;
    }
    switch (event) {
      case "snapshot" -> snapshotEvent(message);
      case "snapshot-end" -> snapshotEnd(message);
      case RESET -> {
        resets++;
        stale = true;
        signals.add(RESET);
      }
      case "message" -> change(MirrorJson.parse(message.getData()));
      default -> {
        // heartbeats are comments; overflow ends the stream, which the library reopens
      }
    }
  }

  private void snapshotEvent(MessageEvent message) {
    if (position >= 0) {
      problem("a snapshot event on a stream resumed after " + position);
      return;
    }
    if (pending == null) {
      pending = new HashMap<>();
    }
    JsonNode item = MirrorJson.parse(message.getData());
    Key key = key(item.path("collection").asText(), item.path("documentKey"));
    if (pending.put(key, MirrorJson.normalize(item.path("document"))) != null) {
      problem("snapshot events listed " + key + " twice");
    }
    if (cutAfter > 0 && pending.size() >= cutAfter) {
      cutAfter = 0;
      cutsInSnapshot++;
      signals.add("cut"); // the control loop disconnects now, in the middle of the snapshot
    }
  }

  private void snapshotEnd(MessageEvent message) {
    if (position >= 0) {
      problem("a snapshot-end on a stream resumed after " + position);
      return;
    }
    documents = pending == null ? new HashMap<>() : pending;
    pending = null;
    position = Long.parseLong(message.getLastEventId());
  }

  private void change(JsonNode envelope) {
    long id = Long.parseLong(envelope.path("id").asText());
    if (position < 0) {
      problem("event " + id + " before the snapshot's end");
      return;
    }
    if (id <= position) {
      problem("event " + id + " after position " + position);
      return;
    }
    if (view.where() == null && view.collections().isEmpty() && id != position + 1) {
      problem("gap: event " + id + " after " + position);
    }
    position = id;
    eventsApplied++;
    String collection = envelope.path("collection").asText();
    Key key = key(collection, envelope.path("documentKey"));
    JsonNode document = envelope.path("document");
    switch (envelope.path("operation").asText()) {
      case "insert", "replace" -> keep(key, MirrorJson.normalize(document));
      case "update" -> {
        if (document.isObject()) {
          keep(key, MirrorJson.normalize(document));
        } else if (documents.containsKey(key)) {
          keep(
              key,
              MirrorJson.normalize(
                  MirrorJson.applyChanges(documents.get(key), envelope.path("changes"))));
        }
        // else: deleted before the post-image was read, and not in this copy: its delete follows
      }
      case "delete" -> documents.remove(key);
      default -> {
        // not a document change (e.g. a published event)
      }
    }
  }

  private void keep(Key key, JsonNode document) {
    if (view.keeps().test(document)) {
      documents.put(key, document);
    } else {
      documents.remove(key);
    }
  }

  static Key key(String collection, JsonNode documentKey) {
    return new Key(collection, MirrorJson.normalize(documentKey).toString());
  }

  private synchronized void problem(String what) {
    problems.add(name + ": " + what);
  }

  private synchronized void streamFailed(int connection, Throwable error) {
    if (connection == generation && error instanceof StreamHttpErrorException http) {
      problem("stream answered " + http.getCode());
    }
  }

  /** Routes the library's callbacks to the mirror, tagged with their connection. */
  private final class Handler implements BackgroundEventHandler {
    private final int connection;

    Handler(int connection) {
      this.connection = connection;
    }

    @Override
    public void onOpen() {
      opened(connection);
    }

    @Override
    public void onClosed() {}

    @Override
    public void onMessage(String event, MessageEvent message) {
      received(connection, event, message);
    }

    @Override
    public void onComment(String comment) {}

    @Override
    public void onError(Throwable t) {
      streamFailed(connection, t);
    }
  }

  /** One page of {@code GET /v1/tenants/{t}/snapshot}. */
  record SnapshotPage(int status, String body, long asOf, List<JsonNode> documents, String next) {

    static SnapshotPage get(URI edge, String tenant, MirrorView view, int limit, String cursor)
        throws InterruptedException {
      List<String> parameters = new ArrayList<>(view.snapshotParameters());
      parameters.add("limit=" + limit);
      if (cursor != null) {
        parameters.add("cursor=" + MirrorView.encode(cursor));
      }
      URI uri = edge.resolve("/v1/tenants/" + tenant + "/snapshot?" + String.join("&", parameters));
      HttpResponse<String> response;
      try {
        response =
            HTTP.send(
                HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
      } catch (IOException e) {
        return new SnapshotPage(-1, e.toString(), -1, List.of(), null);
      }
      if (response.statusCode() != 200) {
        return new SnapshotPage(response.statusCode(), response.body(), -1, List.of(), null);
      }
      JsonNode body = MirrorJson.parse(response.body());
      List<JsonNode> items = new ArrayList<>();
      body.path("documents").forEach(items::add);
      JsonNode next = body.path("next");
      return new SnapshotPage(
          200,
          "",
          Long.parseLong(body.path("asOf").asText()),
          items,
          next.isTextual() ? next.asText() : null);
    }
  }
}
