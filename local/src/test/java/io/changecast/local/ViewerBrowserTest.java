package io.changecast.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import io.changecast.edge.ChangecastEdge;
import io.changecast.edge.config.EdgeConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import java.util.stream.IntStream;
import org.bson.Document;
import org.bson.json.JsonMode;
import org.bson.json.JsonWriterSettings;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live viewer in a real browser (headless Chromium driven by Selenium) on the embedded stack:
 * documents written with the MongoDB driver appear in the viewer's table; then the edge the browser
 * talks to is stopped and a new one started on the same port while writes go on, and the browser's
 * {@code EventSource} resumes with its last event id so the table shows every id exactly once. A
 * small TCP gate between browser and edge holds the browser's retries back until the first
 * restarted edge is ready, so that reconnect is the browser's own, with {@code Last-Event-ID}. The
 * "current documents" view converges to MongoDB's documents of its tenant across such a restart.
 *
 * <p>Needs the Debian packages {@code chromium} and {@code chromium-driver} ({@link
 * HeadlessChromium}).
 */
class ViewerBrowserTest {

  private static final Logger log = LoggerFactory.getLogger(ViewerBrowserTest.class);
  private static final Path APP_SOURCE = Path.of("..", "connect-configs", "app-source.json");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path SCREENSHOT = Path.of("target", "viewer-screenshot.png");
  private static final Path DOCUMENTS_SCREENSHOT =
      Path.of("target", "viewer-documents-screenshot.png");
  private static final Duration DELIVERY = Duration.ofSeconds(60);
  private static final String DOCUMENTS_COLLECTION = "viewer_documents";
  private static final JsonWriterSettings RELAXED =
      JsonWriterSettings.builder().outputMode(JsonMode.RELAXED).build();

  private static LocalStack stack;
  private static MongoClient mongo;
  private static MongoCollection<Document> orders;
  private static Path stateDir;
  private static WebDriver browser;

  @BeforeAll
  static void start() throws IOException {
    HeadlessChromium.assumeInstalled("ViewerBrowserTest");
    stateDir = Files.createTempDirectory("changecast-viewer-test-");
    stack = LocalStack.start(LocalOptions.ephemeral(sourceWithoutPostImages()));
    mongo = MongoClients.create(stack.mongoConnectionString());
    orders = mongo.getDatabase("app").getCollection("orders");
    browser = HeadlessChromium.start(stateDir.resolve("chromium"));
  }

  /**
   * The shipped source without {@code updateLookup}: updates carry no post-image, so the edge's
   * state and the viewer's table apply their {@code changes} (ClientExamplesTest runs the shipped
   * source, where updates carry the document).
   */
  private static Path sourceWithoutPostImages() throws IOException {
    ObjectNode file = (ObjectNode) JSON.readTree(Files.readString(APP_SOURCE));
    ((ObjectNode) file.get("config")).put("change.stream.full.document", "default");
    return Files.writeString(stateDir.resolve("app-source-no-post-images.json"), file.toString());
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.quit();
    }
    if (mongo != null) {
      mongo.close();
    }
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void theViewerShowsEveryEventOnceAcrossEdgeRestarts() throws Exception {
    String tenant = "viewer-" + UUID.randomUUID().toString().substring(0, 8);
    int edgePort = freePort();
    List<ObjectId> written = new CopyOnWriteArrayList<>();
    ScheduledExecutorService writer = Executors.newSingleThreadScheduledExecutor();
    ChangecastEdge edge = startEdge(edgePort, "first");
    // The browser reaches the edge through a gate, so the test decides when its retries get
    // through.
    TcpGate gate = TcpGate.forward(edgePort);
    try {
      browser.get("http://127.0.0.1:" + gate.port() + "/?tenant=" + tenant + "&from=0");
      assertThat(browser.getTitle()).isEqualTo("Changecast live viewer");
      awaitState("open");

      for (int i = 0; i < 5; i++) {
        written.add(insert(tenant));
      }
      awaitRows(5);

      // Writes go on while the edge goes away and comes back on the same port, twice.
      writer.scheduleAtFixedRate(() -> written.add(insert(tenant)), 0, 100, TimeUnit.MILLISECONDS);
      awaitRows(10);

      // 1. The browser's own reconnect: its retries get through only once the new edge is ready,
      // so the same EventSource resumes with its Last-Event-ID header.
      gate.shut();
      edge = restart(edge, edgePort, "second", written::size);
      gate.open();
      awaitText("reconnects", "1");
      assertThat(resumedBy()).isEqualTo("browser");
      awaitRows(written.size());

      // 2. Straight through: the restarted edge may answer 503 not_ready before it has read the
      // event log; the browser then gives up on that EventSource and the viewer opens a new one
      // with lastEventId. Either way nothing is lost or repeated.
      edge = restart(edge, edgePort, "third", written::size);
      awaitText("reconnects", "2");
      String secondResume = resumedBy();
      int atRestart = written.size();
      await().atMost(DELIVERY).until(() -> written.size() >= atRestart + 5);
      writer.shutdown();
      assertThat(writer.awaitTermination(10, TimeUnit.SECONDS)).isTrue();

      int total = written.size();
      awaitRows(total);
      List<String> ids = column("id");
      assertThat(ids)
          .containsExactlyElementsOf(
              IntStream.rangeClosed(1, total).mapToObj(Integer::toString).toList());
      assertThat(column("key"))
          .containsExactlyElementsOf(written.stream().map(ObjectId::toHexString).toList());
      assertThat(browser.findElements(By.cssSelector("tr.gap, tr.duplicate"))).isEmpty();
      assertThat(text("count")).isEqualTo(Integer.toString(total));
      log.info(
          "viewer showed ids 1..{} once each over 2 edge restarts; second resumed by the {}",
          total,
          secondResume);
    } finally {
      writer.shutdownNow();
      screenshot(SCREENSHOT);
      gate.close();
      edge.close();
    }
  }

  /**
   * The "current documents" view: the page opens the stream with {@code snapshot=true}, the
   * snapshot fills the table and the stream keeps it live while a seeded writer inserts, updates
   * ({@code $set}, {@code $unset}, {@code $push}), replaces and deletes the tenant's documents. The
   * edge is stopped and started again (same state directory, same port) while writes go on; the
   * browser's own {@code EventSource} reconnects with {@code Last-Event-ID}, without a page reload
   * and without a second snapshot. Before and after the restart, once a marker document written
   * last has reached the table, the table is MongoDB's documents of the tenant, document by
   * document. The stack's source has no {@code updateLookup}: updates reach the edge's state and
   * the table by their {@code changes} alone. Dropping the collection at the end resets the stream
   * and the viewer takes a new snapshot, which converges too.
   */
  @Test
  void theCurrentDocumentsTableConvergesToMongoAcrossAnEdgeRestart() throws Exception {
    String tenant = "docs-" + UUID.randomUUID().toString().substring(0, 8);
    long seed = System.nanoTime();
    log.info("current documents test: tenant {}, writer seed {}", tenant, seed);
    // A collection of its own: the test drops it at the end, which resets its tenants' streams.
    MongoCollection<Document> collection =
        mongo.getDatabase("app").getCollection(DOCUMENTS_COLLECTION);
    DocumentWriter writer = new DocumentWriter(collection, tenant, new Random(seed));
    for (int i = 0; i < 30; i++) {
      writer.step(); // documents that exist before the page takes its snapshot
    }
    String seeded = writer.marker().toHexString();
    int edgePort = freePort();
    ScheduledExecutorService writes = Executors.newSingleThreadScheduledExecutor();
    ChangecastEdge edge = startEdge(edgePort, "documents");
    TcpGate gate = TcpGate.forward(edgePort);
    try {
      // The edge has read those writes: the snapshot holds them.
      await()
          .atMost(DELIVERY)
          .until(() -> recentEvents(edgePort, tenant).contains("\"" + seeded + "\""));
      browser.get("http://127.0.0.1:" + gate.port() + "/?tenant=" + tenant + "&documents=true");
      new WebDriverWait(browser, DELIVERY).until(driver -> !text("as-of").equals("–"));
      String asOf = text("as-of");
      assertThat(Long.parseLong(asOf)).as("the snapshot's id").isPositive();
      int first = assertConverged(tenant, writer);
      log.info("snapshot as of id {}; {} documents converged before the restart", asOf, first);

      writes.scheduleWithFixedDelay(writer::step, 0, 20, TimeUnit.MILLISECONDS);
      await().atMost(DELIVERY).until(() -> writer.writes() >= 80);

      gate.shut();
      edge = restart(edge, edgePort, "documents", writer::writes);
      gate.open();
      awaitText("reconnects", "1");
      assertThat(resumedBy()).as("the browser's own EventSource resumed").isEqualTo("browser");
      int atReconnect = writer.writes();
      await().atMost(DELIVERY).until(() -> writer.writes() >= atReconnect + 20);
      writes.shutdown();
      assertThat(writes.awaitTermination(10, TimeUnit.SECONDS)).isTrue();

      int second = assertConverged(tenant, writer);
      assertThat(text("as-of")).as("no second snapshot after the reconnect").isEqualTo(asOf);
      assertThat(browser.findElements(By.cssSelector("tr.gap, tr.duplicate"))).isEmpty();
      Object updates =
          ((JavascriptExecutor) browser)
              .executeScript(
                  "return Array.from(document.querySelectorAll('#events tbody tr.event'))"
                      + ".filter(tr => tr.querySelector('.op-update'))"
                      + ".map(tr => 'document' in JSON.parse(tr.title));");
      assertThat(((List<?>) updates).stream().map(Boolean.class::cast).toList())
          .as("updates reached the table by their changes alone (no post-image)")
          .isNotEmpty()
          .containsOnly(false);
      log.info(
          "current documents converged again after an edge restart: {} documents, {} writes"
              + " ({}), snapshot as of {}, last id {}",
          second,
          writer.writes(),
          writer.counts(),
          asOf,
          text("last-id"));

      // Dropping the collection resets the tenant's stream: the viewer takes a new snapshot.
      collection.drop();
      new WebDriverWait(browser, DELIVERY)
          .withMessage("no new snapshot after the reset")
          .until(driver -> !text("as-of").equals(asOf) && !text("as-of").equals("–"));
      assertThat(text("resets")).isEqualTo("1");
      assertThat(Long.parseLong(text("as-of"))).isGreaterThan(Long.parseLong(asOf));
      int afterReset = assertConverged(tenant, writer);
      assertThat(afterReset).as("only the marker written after the drop").isEqualTo(1);
      log.info("after the reset the viewer took a snapshot as of {}", text("as-of"));
    } finally {
      writes.shutdownNow();
      screenshot(DOCUMENTS_SCREENSHOT);
      gate.close();
      edge.close();
    }
  }

  /**
   * Writes a marker document, waits until the viewer's documents table shows it (the tenant's
   * events are delivered in write order, so every earlier write has been applied by then) and
   * asserts that the table holds exactly MongoDB's documents of the tenant.
   */
  private static int assertConverged(String tenant, DocumentWriter writer) {
    String marker = writer.marker().toHexString();
    new WebDriverWait(browser, DELIVERY)
        .withMessage("the marker document " + marker + " did not reach the documents table")
        .until(driver -> documentsTable().containsKey(marker));
    Map<String, JsonNode> table = documentsTable();
    Map<String, JsonNode> mongoDocuments = new TreeMap<>();
    for (Document document : writer.collection.find(new Document("tenantId", tenant))) {
      mongoDocuments.put(document.getObjectId("_id").toHexString(), json(document.toJson(RELAXED)));
    }
    assertThat(table).as("the documents table vs MongoDB").isEqualTo(mongoDocuments);
    assertThat(text("doc-count")).isEqualTo(Integer.toString(mongoDocuments.size()));
    return mongoDocuments.size();
  }

  /** The tenant's retained events as the edge's polling endpoint answers them (JSON text). */
  private static String recentEvents(int edgePort, String tenant) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(
                URI.create(
                    "http://127.0.0.1:"
                        + edgePort
                        + "/v1/tenants/"
                        + tenant
                        + "/events/recent?limit=1000"))
            .build();
    return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString()).body();
  }

  /** The documents table: document key ({@code _id} hex) to the document shown. */
  private static Map<String, JsonNode> documentsTable() {
    Object rows =
        ((JavascriptExecutor) browser)
            .executeScript(
                "return Array.from(document.querySelectorAll('#documents-table tbody tr.doc'))"
                    + ".map(tr => [tr.querySelector('td.collection').textContent,"
                    + " tr.querySelector('td.key').textContent,"
                    + " tr.querySelector('td.document').textContent]);");
    Map<String, JsonNode> table = new TreeMap<>();
    for (Object row : (List<?>) rows) {
      List<?> cells = (List<?>) row;
      assertThat(cells.get(0)).isEqualTo(DOCUMENTS_COLLECTION);
      JsonNode previous = table.put(String.valueOf(cells.get(1)), json((String) cells.get(2)));
      assertThat(previous).as("one row per document: %s", cells.get(1)).isNull();
    }
    return table;
  }

  private static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A seeded writer of one tenant's documents: inserts, {@code $set}, {@code $unset}, {@code
   * $push}, replaces and deletes, one per {@link #step}.
   */
  private static final class DocumentWriter {
    final MongoCollection<Document> collection;
    private final String tenant;
    private final Random random;
    private final List<ObjectId> live = new ArrayList<>();
    private final Map<String, Integer> counts = new TreeMap<>();
    private final AtomicInteger writes = new AtomicInteger();

    DocumentWriter(MongoCollection<Document> collection, String tenant, Random random) {
      this.collection = collection;
      this.tenant = tenant;
      this.random = random;
    }

    synchronized void step() {
      int choice = live.size() < 5 ? 0 : random.nextInt(6);
      ObjectId id = choice == 0 ? new ObjectId() : live.get(random.nextInt(live.size()));
      Document key = new Document("_id", id);
      String kind =
          switch (choice) {
            case 0 -> {
              collection.insertOne(fresh(id));
              live.add(id);
              yield "insert";
            }
            case 1 -> {
              collection.updateOne(
                  key,
                  new Document(
                      "$set",
                      new Document("status", status())
                          .append("n", random.nextInt(1000))
                          .append("meta.rev", random.nextInt(100))));
              yield "$set";
            }
            case 2 -> {
              collection.updateOne(key, new Document("$unset", new Document("note", "")));
              yield "$unset";
            }
            case 3 -> {
              collection.updateOne(
                  key, new Document("$push", new Document("items", random.nextInt(100))));
              yield "$push";
            }
            case 4 -> {
              collection.replaceOne(key, fresh(id).append("replaced", true));
              yield "replace";
            }
            default -> {
              collection.deleteOne(key);
              live.remove(id);
              yield "delete";
            }
          };
      counts.merge(kind, 1, Integer::sum);
      writes.incrementAndGet();
    }

    synchronized ObjectId marker() {
      ObjectId id = new ObjectId();
      collection.insertOne(new Document("_id", id).append("tenantId", tenant).append("marker", 1));
      return id;
    }

    int writes() {
      return writes.get();
    }

    synchronized Map<String, Integer> counts() {
      return new TreeMap<>(counts);
    }

    private Document fresh(ObjectId id) {
      return new Document("_id", id)
          .append("tenantId", tenant)
          .append("status", status())
          .append("note", "n" + random.nextInt(100))
          .append("items", new ArrayList<>(List.of(random.nextInt(100))));
    }

    private String status() {
      return List.of("placed", "paid", "shipped").get(random.nextInt(3));
    }
  }

  /** Stops the edge, lets at least ten writes happen while none runs, starts a new one. */
  private static ChangecastEdge restart(
      ChangecastEdge edge, int port, String name, IntSupplier writes) {
    edge.close();
    new WebDriverWait(browser, DELIVERY)
        .until(
            ExpectedConditions.not(
                ExpectedConditions.attributeToBe(By.id("status"), "data-state", "open")));
    int atClose = writes.getAsInt();
    await().atMost(DELIVERY).until(() -> writes.getAsInt() >= atClose + 10);
    return startEdge(port, name);
  }

  private static ChangecastEdge startEdge(int port, String name) {
    ChangecastEdge edge =
        ChangecastEdge.start(
            EdgeConfig.fromMap(
                Map.of(
                    "bootstrap.servers",
                    stack.kafkaBootstrapServers(),
                    "http.host",
                    "127.0.0.1",
                    "http.port",
                    Integer.toString(port),
                    "state.dir",
                    stateDir.resolve("edge-" + name).toString(),
                    // a restart under the same name is the same instance, keeping its state
                    "application.id",
                    "viewer-test-edge-" + name,
                    "retry.ms",
                    "500",
                    "auth.mode",
                    "none")));
    await().atMost(DELIVERY).until(edge::ready);
    return edge;
  }

  private static ObjectId insert(String tenant) {
    ObjectId id = new ObjectId();
    orders.insertOne(new Document("_id", id).append("tenantId", tenant).append("status", "placed"));
    return id;
  }

  private static void awaitState(String state) {
    new WebDriverWait(browser, DELIVERY)
        .until(ExpectedConditions.attributeToBe(By.id("status"), "data-state", state));
  }

  private static void awaitRows(int count) {
    new WebDriverWait(browser, DELIVERY).until(driver -> column("id").size() >= count);
  }

  /** One column of the event rows, oldest first (the table shows the newest on top). */
  private static List<String> column(String cellClass) {
    Object values =
        ((JavascriptExecutor) browser)
            .executeScript(
                "return Array.from(document.querySelectorAll('#events tbody tr.event td."
                    + cellClass
                    + "')).map(td => td.textContent).reverse();");
    List<String> result = new ArrayList<>();
    for (Object value : (List<?>) values) {
      result.add(String.valueOf(value));
    }
    return result;
  }

  private static void awaitText(String elementId, String expected) {
    new WebDriverWait(browser, DELIVERY)
        .until(ExpectedConditions.textToBe(By.id(elementId), expected));
  }

  private static String resumedBy() {
    return browser.findElement(By.id("status")).getAttribute("data-resumed-by");
  }

  private static String text(String elementId) {
    return browser.findElement(By.id(elementId)).getAttribute("textContent");
  }

  private static void screenshot(Path target) {
    try {
      Path shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
      Files.createDirectories(target.getParent());
      Files.copy(shot, target, StandardCopyOption.REPLACE_EXISTING);
      log.info("screenshot saved to {}", target.toAbsolutePath());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (RuntimeException e) {
      log.warn("no screenshot", e);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
