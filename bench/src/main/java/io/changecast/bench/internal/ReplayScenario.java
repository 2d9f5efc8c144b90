package io.changecast.bench.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mongodb.client.MongoCollection;
import io.changecast.bench.Mode;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.bson.Document;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replay: a tenant gets a backlog of inserts, a live subscriber waits until the edge delivered the
 * last one, then fresh clients reconnect with {@code Last-Event-ID: 0}; each repetition times the
 * request to the last backlog event and checks the ids are exactly {@code 1..backlog}.
 */
public final class ReplayScenario {

  /** The backlog size and how many reconnects are timed. */
  public record Plan(int backlog, int repetitions) {}

  private static final Logger log = LoggerFactory.getLogger(ReplayScenario.class);
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final Duration TIMEOUT = Duration.ofSeconds(180);
  private static final int BATCH = 500;

  private final URI edge;
  private final MongoCollection<Document> collection;

  public ReplayScenario(URI edge, MongoCollection<Document> collection) {
    this.edge = edge;
    this.collection = collection;
  }

  /** quick: 2k backlog, full: 10k (the edge retains 10k events per tenant by default). */
  public static Plan plan(Mode mode, int backlogOverride) {
    Plan plan = mode == Mode.QUICK ? new Plan(2_000, 3) : new Plan(10_000, 5);
    return backlogOverride > 0 ? new Plan(backlogOverride, plan.repetitions()) : plan;
  }

  /** Builds the backlog, then times the reconnects. */
  public ObjectNode run(Plan plan) {
    String tenant = "bench-replay-" + LatencyScenario.shortId();
    ObjectNode result = JSON.objectNode();
    result.put("tenant", tenant);
    result.put("backlog", plan.backlog());
    result.set("ingest", ingest(tenant, plan.backlog()));
    ArrayNode reps = result.putArray("repetitions");
    double[] catchUps = new double[plan.repetitions()];
    for (int i = 0; i < plan.repetitions(); i++) {
      ObjectNode rep = reconnect(tenant, plan.backlog());
      catchUps[i] = rep.path("catchUpMs").asDouble();
      reps.add(rep);
    }
    double[] sorted = catchUps.clone();
    Arrays.sort(sorted);
    ObjectNode summary = result.putObject("catchUpMs");
    summary.put("first", catchUps[0]);
    summary.put("min", sorted[0]);
    summary.put("median", sorted[sorted.length / 2]);
    summary.put("max", sorted[sorted.length - 1]);
    summary.put(
        "eventsPerSecondAtMedian",
        LatencyScenario.round(plan.backlog() / (sorted[sorted.length / 2] / 1000.0)));
    return result;
  }

  /** Writes the backlog in batches while a live subscriber waits for the last event. */
  private ObjectNode ingest(String tenant, int backlog) {
    CountDownLatch last = new CountDownLatch(1);
    String lastId = Integer.toString(backlog);
    long started = System.nanoTime();
    long written;
    try (SseClient tail =
        SseClient.open(
            edge,
            tenant,
            "0",
            event -> {
              if (lastId.equals(event.id())) {
                last.countDown();
              }
            })) {
      List<Document> batch = new ArrayList<>(BATCH);
      for (int i = 1; i <= backlog; i++) {
        batch.add(new Document("tenantId", tenant).append("seq", i));
        if (batch.size() == BATCH || i == backlog) {
          collection.insertMany(batch);
          batch = new ArrayList<>(BATCH);
        }
      }
      written = System.nanoTime();
      log.info("replay: {} backlog events written to {}", backlog, tenant);
      await(last, "backlog event " + lastId + " of " + tenant);
    }
    long delivered = System.nanoTime();
    ObjectNode ingest = JSON.objectNode();
    ingest.put("writeSeconds", LatencyScenario.round((written - started) / 1e9));
    ingest.put("writeToLastDeliveredSeconds", LatencyScenario.round((delivered - started) / 1e9));
    ingest.put(
        "pipelineEventsPerSecond", LatencyScenario.round(backlog / ((delivered - started) / 1e9)));
    return ingest;
  }

  private ObjectNode reconnect(String tenant, int backlog) {
    Catcher catcher = new Catcher(backlog);
    long started = System.nanoTime();
    try (SseClient client = SseClient.open(edge, tenant, "0", catcher::onEvent)) {
      long connected = System.nanoTime();
      await(catcher.done, "replay of " + backlog + " events to " + tenant);
      ObjectNode rep = JSON.objectNode();
      rep.put("connectMs", ms(connected - started));
      rep.put("firstEventMs", ms(catcher.firstAt - started));
      rep.put("catchUpMs", ms(catcher.lastAt - started));
      rep.put("received", catcher.received);
      rep.put("idsInOrder", catcher.inOrder);
      return rep;
    }
  }

  private static double ms(long nanos) {
    return Math.round(nanos / 10_000.0) / 100.0;
  }

  private static void await(CountDownLatch latch, String what) {
    try {
      if (!latch.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException(what + " not delivered within " + TIMEOUT);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** Counts the replayed events on the client thread; read after {@code done}. */
  private static final class Catcher {
    final int backlog;
    final CountDownLatch done = new CountDownLatch(1);
    long firstAt;
    long lastAt;
    int received;
    boolean inOrder = true;

    Catcher(int backlog) {
      this.backlog = backlog;
    }

    void onEvent(SseClient.Event event) {
      if (event.name() != null || done.getCount() == 0) {
        return;
      }
      long now = System.nanoTime();
      if (received == 0) {
        firstAt = now;
      }
      received++;
      if (!Integer.toString(received).equals(event.id())) {
        inOrder = false;
      }
      if (received == backlog) {
        lastAt = now;
        done.countDown();
      }
    }
  }
}
