package io.changecast.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import io.changecast.local.DocumentMirror.Key;
import io.changecast.local.DocumentMirror.SnapshotPage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 20's convergence test on the real stack (embedded MongoDB as a replica set, a KRaft broker,
 * a Connect worker running the official connector with {@code connect-configs/app-source.json}, the
 * router, the edge): writers insert, update ({@code $set}, {@code $unset}, {@code $push}), replace
 * and delete documents of 5 tenants in two collections while 50 {@link DocumentMirror}s (10 a
 * tenant) repeatedly take a snapshot — paged with 3-15 documents a page, or through {@code
 * events?snapshot=true} — and follow the stream from its id, some with a collection or {@code
 * where} filter, disconnecting at random (also within a snapshot) and resuming with their
 * Last-Event-ID. When the writes stop (then a last write per tenant, which every view matches),
 * each client's copy must equal MongoDB's documents for its tenant — or MongoDB's answer to the
 * same filter — document by document.
 *
 * <p>Seeded: the seed is printed; {@code -Dchangecast.convergence.seed=S} repeats a run, {@code
 * -Dchangecast.convergence.writes=N} (default 3,000) and {@code
 * -Dchangecast.convergence.writes-per-second=R} (default 150) size it; the {@code soak} profile
 * runs it longer.
 */
class ConvergencePipelineTest {

  private static final int TENANTS = 5;
  private static final int CLIENTS_PER_TENANT = 10;
  private static final String FENCE = "z-fence-";

  /** Generous: on the shared 2-core machine a loaded pipeline lags by minutes. */
  private static final Duration CATCH_UP = Duration.ofMinutes(5);

  private static final List<MirrorView> VIEWS =
      List.of(
          MirrorView.ALL, MirrorView.ALL, MirrorView.ORDERS, MirrorView.KEY_RANGE, MirrorView.PAID);

  @RegisterExtension
  static final StackFixture PIPELINE =
      StackFixture.shared(LocalOptions.ephemeral(LocalArgs.APP_SOURCE));

  @Test
  void everyClientsCopyEqualsMongoDbsDocumentsOnceTheWritesStop() throws Exception {
    long seed = Long.getLong("changecast.convergence.seed", System.nanoTime());
    int writes = Integer.getInteger("changecast.convergence.writes", 3_000);
    double perSecond =
        Double.parseDouble(System.getProperty("changecast.convergence.writes-per-second", "150"));
    System.out.printf(
        "convergence: seed %d (repeat with -Dchangecast.convergence.seed=%d), %d writes at %.0f/s,"
            + " %d tenants, %d clients%n",
        seed, seed, writes, perSecond, TENANTS, TENANTS * CLIENTS_PER_TENANT);
    Random random = new Random(seed);
    MongoDatabase app = PIPELINE.mongo().getDatabase("app");
    List<String> tenants = new ArrayList<>();
    for (int t = 0; t < TENANTS; t++) {
      tenants.add("conv" + t + "-" + Long.toHexString(random.nextLong() & 0xffffffL));
    }
    routeBothCollections(app, random);

    List<DocumentMirror> mirrors = new ArrayList<>();
    for (String tenant : tenants) {
      for (int c = 0; c < CLIENTS_PER_TENANT; c++) {
        MirrorView view = VIEWS.get(c / 2);
        DocumentMirror.Mode mode =
            c % 2 == 0 ? DocumentMirror.Mode.PAGED : DocumentMirror.Mode.SNAPSHOT_EVENTS;
        mirrors.add(
            new DocumentMirror(
                tenant + "/" + c + "/" + view.name() + "/" + mode,
                PIPELINE.stack().edgeUrl(),
                tenant,
                view,
                mode,
                random.nextLong()));
      }
    }
    List<ConvergenceWriters> writers = new ArrayList<>();
    for (String tenant : tenants) {
      writers.add(
          new ConvergenceWriters(
              app, tenant, random.nextLong(), writes / TENANTS, perSecond / TENANTS));
    }

    ExecutorService clients = Executors.newFixedThreadPool(mirrors.size());
    ExecutorService writing = Executors.newFixedThreadPool(writers.size());
    try {
      List<Future<?>> running = new ArrayList<>();
      for (DocumentMirror mirror : mirrors) {
        running.add(
            clients.submit(
                () -> {
                  mirror.run();
                  return null;
                }));
      }
      List<Future<?>> written = new ArrayList<>();
      writers.forEach(w -> written.add(writing.submit(w)));
      for (Future<?> writer : written) {
        writer.get(10, TimeUnit.MINUTES);
      }
      // a last write per tenant and collection that every view matches: once a client has their
      // ids, it has every event of its view
      for (String tenant : tenants) {
        for (String collection : MirrorView.COLLECTIONS) {
          app.getCollection(collection)
              .insertOne(
                  new Document("_id", FENCE + tenant)
                      .append("tenantId", tenant)
                      .append("status", "paid"));
        }
      }
      Map<String, Map<String, Long>> fenceIds = new LinkedHashMap<>();
      for (String tenant : tenants) {
        fenceIds.put(tenant, awaitFenceIds(tenant));
      }
      mirrors.forEach(DocumentMirror::stop);
      for (Future<?> client : running) {
        client.get(2, TimeUnit.MINUTES);
      }
      await()
          .atMost(CATCH_UP)
          .pollInterval(Duration.ofMillis(200))
          .until(
              () ->
                  mirrors.stream()
                      .allMatch(m -> m.caughtUp(lastId(fenceIds.get(m.tenant()), m.view()))));

      List<String> differences = new ArrayList<>();
      List<String> problems = new ArrayList<>();
      for (DocumentMirror mirror : mirrors) {
        Map<Key, JsonNode> expected = mongoView(app, mirror.tenant(), mirror.view());
        List<String> mine = differences(mirror.name(), expected, mirror.documents());
        differences.addAll(mine);
        problems.addAll(mirror.problems());
        System.out.printf(
            "convergence: %s at id %d: %d documents, %d differences, %s%n",
            mirror.name(), mirror.position(), expected.size(), mine.size(), mirror.tally());
      }
      Map<ConvergenceWriters.Op, Integer> ops =
          new java.util.EnumMap<>(ConvergenceWriters.Op.class);
      writers.forEach(w -> w.tally().forEach((op, n) -> ops.merge(op, n, Integer::sum)));
      System.out.printf(
          "convergence: seed %d: writes %s, last write ids %s; %d differences, %d problems%n",
          seed, ops, fenceIds, differences.size(), problems.size());
      differences.stream().limit(50).forEach(d -> System.out.println("convergence: DIFF " + d));
      problems.stream().limit(50).forEach(p -> System.out.println("convergence: PROBLEM " + p));

      assertThat(differences).as("differences (seed %d)", seed).isEmpty();
      assertThat(problems).as("broken promises of the API (seed %d)", seed).isEmpty();
      // the run exercised what it claims to
      assertThat(mirrors.stream().mapToInt(m -> m.tally().snapshots()).sum())
          .isGreaterThan(mirrors.size());
      assertThat(mirrors.stream().mapToInt(m -> m.tally().reconnects()).sum()).isPositive();
      assertThat(mirrors.stream().mapToInt(m -> m.tally().cutsInSnapshot()).sum()).isPositive();
      for (String tenant : tenants) {
        assertThat(mongoView(app, tenant, MirrorView.PAID)).hasSizeGreaterThan(1);
      }
    } finally {
      writing.shutdownNow();
      clients.shutdownNow();
      mirrors.forEach(DocumentMirror::close);
    }
  }

  /**
   * The first write to a collection creates its raw topic, which the router picks up with a
   * rebalance: write once to each, and wait until both reach a subscriber, before the test starts.
   */
  private static void routeBothCollections(MongoDatabase app, Random random) {
    String warmUp = "warmup-" + Long.toHexString(random.nextLong() & 0xffffffL);
    try (SseRecorder stream = SseRecorder.subscribe(PIPELINE.stack().edgeUrl(), warmUp, "0")) {
      for (String collection : MirrorView.COLLECTIONS) {
        app.getCollection(collection).insertOne(new Document("tenantId", warmUp));
      }
      await().atMost(CATCH_UP).until(() -> stream.events().size() >= 2);
    }
  }

  /**
   * The ids of the tenant's last write to each collection (its fences), from a snapshot that holds
   * both. Each collection has a raw topic of its own, so a tenant's ids follow MongoDB's order per
   * collection, not across them: the last id of a view is its collections' largest fence id.
   */
  private static Map<String, Long> awaitFenceIds(String tenant) {
    Map<String, Long> ids = new HashMap<>();
    String[] last = {"no answer yet"};
    try {
      await()
          .atMost(CATCH_UP)
          .pollInterval(Duration.ofMillis(200))
          .until(() -> fences(tenant, ids, last));
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError(
          "the last writes of " + tenant + " are in no snapshot; last answer: " + last[0], e);
    }
    return ids;
  }

  private static boolean fences(String tenant, Map<String, Long> ids, String[] last)
      throws InterruptedException {
    ids.clear();
    String cursor = null;
    do {
      SnapshotPage page =
          SnapshotPage.get(PIPELINE.stack().edgeUrl(), tenant, MirrorView.ALL, 500, cursor);
      last[0] = page.status() + " " + page.body() + " as of " + page.asOf();
      if (page.status() != 200) {
        System.out.println("convergence: snapshot of " + tenant + ": " + last[0]);
        return false;
      }
      for (JsonNode item : page.documents()) {
        if ((FENCE + tenant).equals(item.path("documentKey").path("_id").asText())) {
          ids.put(item.path("collection").asText(), Long.parseLong(item.path("id").asText()));
        }
      }
      cursor = page.next();
    } while (cursor != null);
    return ids.keySet().containsAll(MirrorView.COLLECTIONS);
  }

  /** The id a view's copy must reach: the largest fence id of its collections. */
  private static long lastId(Map<String, Long> fences, MirrorView view) {
    return view.watched().stream().mapToLong(fences::get).max().orElseThrow();
  }

  /** MongoDB's answer to a view: the tenant's documents matching its collections and filter. */
  private static Map<Key, JsonNode> mongoView(MongoDatabase app, String tenant, MirrorView view) {
    Map<Key, JsonNode> documents = new HashMap<>();
    for (String collection : view.watched()) {
      for (Document document :
          app.getCollection(collection)
              .find(Filters.and(Filters.eq("tenantId", tenant), view.mongoFilter()))) {
        documents.put(
            DocumentMirror.key(collection, MirrorJson.of(new Document("_id", document.get("_id")))),
            MirrorJson.of(document));
      }
    }
    return documents;
  }

  private static List<String> differences(
      String client, Map<Key, JsonNode> expected, Map<Key, JsonNode> actual) {
    List<String> differences = new ArrayList<>();
    TreeSet<String> keys = new TreeSet<>();
    Map<String, Key> byText = new HashMap<>();
    for (Key key : expected.keySet()) {
      byText.put(key.toString(), key);
    }
    for (Key key : actual.keySet()) {
      byText.put(key.toString(), key);
    }
    keys.addAll(byText.keySet());
    for (String text : keys) {
      Key key = byText.get(text);
      JsonNode want = expected.get(key);
      JsonNode have = actual.get(key);
      if (want == null) {
        differences.add(client + ": " + key + " is not in MongoDB, the copy has " + have);
      } else if (have == null) {
        differences.add(client + ": " + key + " is missing, MongoDB has " + want);
      } else if (!want.equals(have)) {
        differences.add(client + ": " + key + " is " + have + ", MongoDB has " + want);
      }
    }
    return differences;
  }
}
