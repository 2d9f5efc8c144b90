package io.changecast.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import io.changecast.edge.ChangecastEdge;
import io.changecast.edge.EdgeConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.bson.Document;
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
 * restarted edge is ready, so that reconnect is the browser's own, with {@code Last-Event-ID}.
 *
 * <p>Needs the Debian packages {@code chromium} and {@code chromium-driver} ({@link
 * HeadlessChromium}).
 */
class ViewerBrowserTest {

  private static final Logger log = LoggerFactory.getLogger(ViewerBrowserTest.class);
  private static final Path APP_SOURCE = Path.of("..", "connect-configs", "app-source.json");
  private static final Path SCREENSHOT = Path.of("target", "viewer-screenshot.png");
  private static final Duration DELIVERY = Duration.ofSeconds(60);

  private static LocalStack stack;
  private static MongoClient mongo;
  private static MongoCollection<Document> orders;
  private static Path stateDir;
  private static WebDriver browser;

  @BeforeAll
  static void start() throws IOException {
    HeadlessChromium.assumeInstalled("ViewerBrowserTest");
    stack = LocalStack.start(LocalOptions.ephemeral(APP_SOURCE));
    mongo = MongoClients.create(stack.mongoConnectionString());
    orders = mongo.getDatabase("app").getCollection("orders");
    stateDir = Files.createTempDirectory("changecast-viewer-test-");
    browser = HeadlessChromium.start(stateDir.resolve("chromium"));
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
      edge = restart(edge, edgePort, "second", written);
      gate.open();
      awaitText("reconnects", "1");
      assertThat(resumedBy()).isEqualTo("browser");
      awaitRows(written.size());

      // 2. Straight through: the restarted edge may answer 503 not_ready before it has read the
      // event log; the browser then gives up on that EventSource and the viewer opens a new one
      // with lastEventId. Either way nothing is lost or repeated.
      edge = restart(edge, edgePort, "third", written);
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
      screenshot();
      gate.close();
      edge.close();
    }
  }

  /** Stops the edge, lets at least ten writes happen while none runs, starts a new one. */
  private static ChangecastEdge restart(
      ChangecastEdge edge, int port, String name, List<ObjectId> written) {
    edge.close();
    new WebDriverWait(browser, DELIVERY)
        .until(
            ExpectedConditions.not(
                ExpectedConditions.attributeToBe(By.id("status"), "data-state", "open")));
    int atClose = written.size();
    await().atMost(DELIVERY).until(() -> written.size() >= atClose + 10);
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

  private static void screenshot() {
    try {
      Path shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
      Files.createDirectories(SCREENSHOT.getParent());
      Files.copy(shot, SCREENSHOT, StandardCopyOption.REPLACE_EXISTING);
      log.info("screenshot saved to {}", SCREENSHOT.toAbsolutePath());
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
