package io.changecast.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.launchdarkly.eventsource.MessageEvent;
import com.launchdarkly.eventsource.background.BackgroundEventSource;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import io.changecast.examples.JavaSubscriber;
import io.changecast.examples.SnapshotSubscriber;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.bson.Document;
import org.bson.json.JsonMode;
import org.bson.json.JsonWriterSettings;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The README's client examples, run against the real local stack with auth on ({@code
 * auth.mode=jwt}, HS256): the exact {@code curl -N} command line, the browser page {@code
 * examples/browser/index.html} in headless Chromium with the token in the cookie, and the Java
 * subscriber {@code examples/java-subscriber}. Each sees the events written with the MongoDB driver
 * to its tenant, ids 1..n; the README's snippets are the same text as what runs.
 */
class ClientExamplesTest {

  private static final Path README = Path.of("..", "README.md");
  private static final Path APP_SOURCE = Path.of("..", "connect-configs", "app-source.json");
  private static final Path BROWSER_EXAMPLE = Path.of("..", "examples", "browser");
  private static final Path ENVELOPE_SCHEMA =
      Path.of("..", "docs", "schema", "envelope-v1.schema.json");
  private static final Path SNAPSHOT_SCHEMA =
      Path.of("..", "docs", "schema", "snapshot-v1.schema.json");
  private static final SchemaRegistry SCHEMAS =
      SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
  private static final String README_EDGE = "http://127.0.0.1:8080";
  private static final String SECRET = "client-examples-test-secret-0123456789abcdef";
  private static final Duration DELIVERY = Duration.ofSeconds(60);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonWriterSettings RELAXED =
      JsonWriterSettings.builder().outputMode(JsonMode.RELAXED).build();

  private static HttpServer pages;
  private static LocalStack stack;
  private static MongoClient mongo;
  private static MongoCollection<Document> orders;

  @BeforeAll
  static void start() throws IOException {
    pages = servePages(BROWSER_EXAMPLE);
    stack =
        LocalStack.start(
            LocalOptions.ephemeral(APP_SOURCE)
                .withEdgeSetting("auth.mode", "jwt")
                .withEdgeSetting("auth.jwt.hs256-secret", SECRET)
                .withEdgeSetting("http.cors.allowed-origins", pageOrigin()));
    mongo = MongoClients.create(stack.mongoConnectionString());
    orders = mongo.getDatabase("app").getCollection("orders");
  }

  @AfterAll
  static void stop() {
    if (mongo != null) {
      mongo.close();
    }
    if (stack != null) {
      stack.close();
    }
    if (pages != null) {
      pages.stop(0);
    }
  }

  @Test
  void theReadmeCurlCommandStreamsTheTenantsEvents() throws Exception {
    assumeTrue(onPath("curl"), "curl is not installed: the README's curl example is not run");
    List<String> block = readmeBlock("curl");
    String command =
        block.stream()
            .filter(line -> line.startsWith("curl -N"))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no curl -N line in the README's curl block"));
    assertThat(command).contains(README_EDGE + "/v1/tenants/acme/events").contains("$TOKEN");
    // The stack is this class's own: tenant acme has no other writer here.
    String tenant = "acme";
    assertThat(status(tenant, null)).as("the edge requires a token").isEqualTo(401);

    ProcessBuilder builder =
        new ProcessBuilder("bash", "-c", command.replace(README_EDGE, stack.edgeUrl().toString()))
            .redirectErrorStream(false)
            .redirectError(ProcessBuilder.Redirect.DISCARD);
    builder.environment().put("TOKEN", token(tenant));
    Process curl = builder.start();
    List<String> lines = new CopyOnWriteArrayList<>();
    Thread reader = readLines(curl, lines);
    try {
      List<ObjectId> written = List.of(insert(tenant), insert(tenant), insert(tenant));
      await().atMost(DELIVERY).until(() -> dataLines(lines).size() >= 3);

      assertThat(idLines(lines)).containsExactly("1", "2", "3");
      List<JsonNode> envelopes = new ArrayList<>();
      for (String data : dataLines(lines)) {
        envelopes.add(JSON.readTree(data));
      }
      assertThat(envelopes)
          .extracting(e -> e.path("documentKey").path("_id").path("$oid").asText())
          .containsExactlyElementsOf(written.stream().map(ObjectId::toHexString).toList());
      assertThat(envelopes)
          .allSatisfy(e -> assertThat(e.path("tenant").asText()).isEqualTo(tenant));
      assertThat(lines).anySatisfy(line -> assertThat(line).startsWith("retry: "));
    } finally {
      curl.destroy();
      assertThat(curl.waitFor(10, TimeUnit.SECONDS)).isTrue();
      reader.join(TimeUnit.SECONDS.toMillis(10));
    }
  }

  /**
   * The README's snapshot {@code curl} lines, run as they are (the edge's address, the tenant, the
   * page size and the placeholders replaced): two pages as of the same id, then the stream from
   * that id, and the one-request form; every page, entry, end and envelope is valid against {@code
   * docs/schema}, and the snapshot holds MongoDB's documents.
   */
  @Test
  void theReadmeSnapshotCurlCommandsAnswerWhatTheSchemasDescribe() throws Exception {
    assumeTrue(onPath("curl"), "curl is not installed: the README's curl example is not run");
    List<String> block = readmeBlock("curl-snapshot");
    String tenant = tenant("curl");
    ObjectId updated = insert(tenant);
    ObjectId deleted = insert(tenant);
    insert(tenant);
    orders.updateOne(new Document("_id", updated), new Document("$set", new Document("total", 3)));
    orders.deleteOne(new Document("_id", deleted));
    await().atMost(DELIVERY).until(() -> latestId(tenant) >= 5);
    Schema page = schema(SNAPSHOT_SCHEMA, null);
    Schema entry = schema(SNAPSHOT_SCHEMA, "entry");
    Schema end = schema(SNAPSHOT_SCHEMA, "end");
    Schema envelope = schema(ENVELOPE_SCHEMA, null);

    // Paged, one document a page: every page as of the same id.
    JsonNode firstPage =
        json(curl(curlLine(block, "collections=orders&limit=500'", tenant), tenant));
    List<JsonNode> pages = new ArrayList<>(List.of(firstPage));
    while (!pages.get(pages.size() - 1).path("next").isNull()) {
      assertThat(pages).as("pages of a two-document snapshot").hasSizeLessThan(4);
      String next = pages.get(pages.size() - 1).path("next").asText();
      pages.add(
          json(curl(curlLine(block, "cursor=<next>", tenant).replace("<next>", next), tenant)));
    }
    Map<String, JsonNode> snapshot = new TreeMap<>();
    for (JsonNode onePage : pages) {
      assertValid(page, onePage);
      assertThat(onePage.path("asOf").asText()).isEqualTo("5");
      assertThat(onePage.path("documents").size()).isLessThanOrEqualTo(1);
      for (JsonNode document : onePage.path("documents")) {
        snapshot.put(
            document.path("documentKey").path("_id").path("$oid").asText(),
            document.path("document"));
      }
    }
    assertThat(pages).hasSizeGreaterThanOrEqualTo(2);
    assertThat(snapshot).isEqualTo(mongoDocuments(orders, tenant));

    // The stream from the snapshot's id: the next change, and nothing before it.
    List<String> follow = new CopyOnWriteArrayList<>();
    try (Curl stream =
        Curl.start(
            curlLine(block, "Last-Event-ID: <asOf>", tenant).replace("<asOf>", "5"),
            token(tenant),
            follow)) {
      ObjectId after = insert(tenant);
      await().atMost(DELIVERY).until(() -> dataLines(follow).size() >= 1);
      assertThat(idLines(follow)).containsExactly("6");
      JsonNode event = json(dataLines(follow).get(0));
      assertValid(envelope, event);
      assertThat(event.path("documentKey").path("_id").path("$oid").asText())
          .isEqualTo(after.toHexString());
    }

    // One request: the documents as `snapshot` events, `snapshot-end` with id 6, then the tail.
    List<String> oneRequest = new CopyOnWriteArrayList<>();
    try (Curl stream =
        Curl.start(curlLine(block, "snapshot=true", tenant), token(tenant), oneRequest)) {
      await().atMost(DELIVERY).until(() -> oneRequest.contains("event: snapshot-end"));
      ObjectId live = insert(tenant);
      await().atMost(DELIVERY).until(() -> idLines(oneRequest).contains("7"));
      List<SseFrame> frames = SseFrame.parse(oneRequest);
      List<SseFrame> snapshotFrames =
          frames.stream().filter(f -> "snapshot".equals(f.event())).toList();
      assertThat(snapshotFrames).hasSize(3).allSatisfy(f -> assertThat(f.id()).isNull());
      Map<String, JsonNode> documents = new TreeMap<>();
      for (SseFrame frame : snapshotFrames) {
        JsonNode document = json(frame.data());
        assertValid(entry, document);
        documents.put(
            document.path("documentKey").path("_id").path("$oid").asText(),
            document.path("document"));
      }
      SseFrame snapshotEnd =
          frames.stream().filter(f -> "snapshot-end".equals(f.event())).findFirst().orElseThrow();
      assertThat(snapshotEnd.id()).isEqualTo("6");
      assertValid(end, json(snapshotEnd.data()));
      assertThat(frames.indexOf(snapshotEnd)).isGreaterThan(frames.indexOf(snapshotFrames.get(2)));
      SseFrame tail = frames.get(frames.indexOf(snapshotEnd) + 1);
      assertThat(tail.event()).isNull();
      assertThat(tail.id()).isEqualTo("7");
      assertValid(envelope, json(tail.data()));
      assertThat(json(tail.data()).path("documentKey").path("_id").path("$oid").asText())
          .isEqualTo(live.toHexString());
      documents.put(live.toHexString(), json(tail.data()).path("document"));
      assertThat(documents).isEqualTo(mongoDocuments(orders, tenant));
    }
  }

  /** The README block's curl line containing {@code marker}, for this stack and {@code tenant}. */
  private static String curlLine(List<String> block, String marker, String tenant) {
    return block.stream()
        .filter(line -> line.startsWith("curl ") && line.contains(marker))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no curl line with " + marker + " in the README"))
        .replace(README_EDGE, stack.edgeUrl().toString())
        .replace("/tenants/acme/", "/tenants/" + tenant + "/")
        .replace("limit=500", "limit=1");
  }

  /** Runs a curl command line to its end; its standard output. */
  private static String curl(String command, String tenant) throws Exception {
    ProcessBuilder builder =
        new ProcessBuilder("bash", "-c", command).redirectError(ProcessBuilder.Redirect.DISCARD);
    builder.environment().put("TOKEN", token(tenant));
    Process process = builder.start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as("exit status of %s", command).isZero();
    return out;
  }

  /** A {@code curl -N} stream whose output lines are collected until it is closed. */
  private record Curl(Process process, Thread reader) implements AutoCloseable {
    static Curl start(String command, String token, List<String> lines) throws IOException {
      ProcessBuilder builder =
          new ProcessBuilder("bash", "-c", command).redirectError(ProcessBuilder.Redirect.DISCARD);
      builder.environment().put("TOKEN", token);
      Process process = builder.start();
      return new Curl(process, readLines(process, lines));
    }

    @Override
    public void close() throws InterruptedException {
      process.destroy();
      assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
      reader.join(TimeUnit.SECONDS.toMillis(10));
    }
  }

  /** One SSE event as a client parses it: its {@code event:}, {@code id:} and {@code data:}. */
  private record SseFrame(String event, String id, String data) {
    static List<SseFrame> parse(List<String> lines) {
      List<SseFrame> frames = new ArrayList<>();
      String event = null;
      String id = null;
      String data = null;
      for (String line : lines) {
        if (line.isEmpty()) {
          if (data != null) {
            frames.add(new SseFrame(event, id, data));
          }
          event = null;
          id = null;
          data = null;
        } else if (line.startsWith("event: ")) {
          event = line.substring(7);
        } else if (line.startsWith("id: ")) {
          id = line.substring(4);
        } else if (line.startsWith("data: ")) {
          data = line.substring(6);
        }
      }
      return frames;
    }
  }

  /** The schema file, or its {@code $defs/<def>}, for the networknt validator. */
  private static Schema schema(Path file, String def) throws IOException {
    ObjectNode root = (ObjectNode) JSON.readTree(file.toFile());
    if (def != null) {
      ObjectNode sub = JSON.createObjectNode();
      sub.set("$schema", root.get("$schema"));
      sub.set("$defs", root.get("$defs"));
      sub.put("$ref", "#/$defs/" + def);
      root = sub;
    }
    return SCHEMAS.getSchema(JSON.writeValueAsString(root), InputFormat.JSON);
  }

  private static void assertValid(Schema schema, JsonNode value) throws IOException {
    assertThat(schema.validate(JSON.writeValueAsString(value), InputFormat.JSON))
        .as("schema violations of %s", value)
        .isEmpty();
  }

  @Test
  void theJavaSubscriberReceivesEveryEventAndResumes() throws IOException {
    assertReadmeBlockIsIn(
        "examples/java-subscriber/src/main/java/io/changecast/examples/JavaSubscriber.java");
    String tenant = tenant("java");
    String token = token(tenant);
    List<MessageEvent> received = new CopyOnWriteArrayList<>();
    List<ObjectId> written = new ArrayList<>();
    try (BackgroundEventSource source =
        JavaSubscriber.subscribe(stack.edgeUrl(), tenant, token, "0", received::add)) {
      for (int i = 0; i < 3; i++) {
        written.add(insert(tenant));
      }
      await().atMost(DELIVERY).until(() -> received.size() >= 3);
    }
    assertThat(received).extracting(MessageEvent::getEventName).containsOnly("message");
    assertThat(received).extracting(MessageEvent::getLastEventId).containsExactly("1", "2", "3");

    // Resuming after id 2 replays exactly what came after it, then the live tail.
    written.add(insert(tenant));
    List<MessageEvent> resumed = new CopyOnWriteArrayList<>();
    try (BackgroundEventSource source =
        JavaSubscriber.subscribe(stack.edgeUrl(), tenant, token, "2", resumed::add)) {
      await().atMost(DELIVERY).until(() -> resumed.size() >= 2);
      written.add(insert(tenant));
      await().atMost(DELIVERY).until(() -> resumed.size() >= 3);
    }
    assertThat(resumed).extracting(MessageEvent::getLastEventId).containsExactly("3", "4", "5");
    List<String> keys = new ArrayList<>();
    for (MessageEvent event : resumed) {
      keys.add(
          JSON.readTree(event.getData()).path("documentKey").path("_id").path("$oid").asText());
    }
    assertThat(keys)
        .containsExactlyElementsOf(
            written.subList(2, 5).stream().map(ObjectId::toHexString).toList());
  }

  /**
   * The browser example takes the tenant's snapshot and follows it ({@code snapshot=true}): its
   * documents table becomes MongoDB's documents of the tenant, and its events list holds the ids
   * after the snapshot's, one by one.
   */
  @Test
  void theBrowserExampleKeepsTheTenantsDocumentsWithTheTokenInACookie() throws IOException {
    assertReadmeBlockIsIn("examples/browser/index.html");
    HeadlessChromium.assumeInstalled("the browser example");
    String tenant = tenant("browser");
    ObjectId kept = insert(tenant);
    ObjectId deleted = insert(tenant);
    orders.updateOne(new Document("_id", kept), new Document("$set", new Document("total", 5)));
    Path profile = Files.createTempDirectory("changecast-example-browser-");
    WebDriver browser = HeadlessChromium.start(profile);
    try {
      // Cookies belong to a host, not a port: set on the page's host, the edge's requests get it.
      browser.get(pageOrigin() + "/index.html?tenant=none");
      browser.manage().addCookie(new Cookie("changecast_token", token(tenant), "/"));
      browser.get(pageOrigin() + "/index.html?edge=" + stack.edgeUrl() + "&tenant=" + tenant);
      new WebDriverWait(browser, DELIVERY)
          .withMessage("the example's snapshot did not end (was the cookie sent? CORS?)")
          .until(driver -> !driver.findElement(By.id("as-of")).getText().isEmpty());
      assertThat(browser.findElement(By.id("state")).getText()).isEqualTo("open");
      long asOf = Long.parseLong(browser.findElement(By.id("as-of")).getText());

      ObjectId added = insert(tenant);
      orders.updateOne(
          new Document("_id", added), new Document("$push", new Document("items", "a")));
      orders.deleteOne(new Document("_id", deleted));
      ObjectId marker = insert(tenant);
      new WebDriverWait(browser, DELIVERY)
          .until(driver -> browserDocuments(driver).containsKey(marker.toHexString()));

      assertThat(browserDocuments(browser)).isEqualTo(mongoDocuments(orders, tenant));
      List<WebElement> items = browser.findElements(By.cssSelector("#events li"));
      assertThat(items)
          .extracting(item -> Long.parseLong(item.getAttribute("data-id")))
          .as("the events after the snapshot's id %s, each once", asOf)
          .containsExactlyElementsOf(
              LongStream.rangeClosed(asOf + 1, asOf + items.size()).boxed().toList());
      assertThat(items.get(items.size() - 1).getText())
          .startsWith((asOf + items.size()) + " orders.created ")
          .contains(marker.toHexString());
    } finally {
      browser.quit();
    }
  }

  /**
   * The Java snapshot example: a paged snapshot (pages of 2) then the stream from its id; its
   * documents become MongoDB's, and after the collection is dropped (a {@code reset}) it takes a
   * new snapshot, which no longer holds them.
   */
  @Test
  void theSnapshotSubscriberKeepsTheTenantsDocumentsAndResnapshotsAfterAReset() throws Exception {
    assertReadmeBlockIsIn(
        "examples/java-subscriber/src/main/java/io/changecast/examples/SnapshotSubscriber.java");
    String tenant = tenant("snapshot");
    MongoCollection<Document> items = mongo.getDatabase("app").getCollection("example_items");
    List<ObjectId> ids = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      ObjectId id = new ObjectId();
      items.insertOne(new Document("_id", id).append("tenantId", tenant).append("n", i));
      ids.add(id);
    }
    await().atMost(DELIVERY).until(() -> latestId(tenant) >= 5);

    try (SnapshotSubscriber subscriber =
        SnapshotSubscriber.start(stack.edgeUrl(), tenant, token(tenant), 2)) {
      assertThat(subscriber.asOf()).isEqualTo("5");
      assertThat(subscriber.documents()).isEqualTo(mongoDocuments(items, tenant, "example_items"));

      items.updateOne(
          new Document("_id", ids.get(0)), new Document("$set", new Document("status", "paid")));
      items.updateOne(
          new Document("_id", ids.get(1)), new Document("$unset", new Document("n", "")));
      items.updateOne(
          new Document("_id", ids.get(2)), new Document("$push", new Document("tags", "x")));
      items.replaceOne(
          new Document("_id", ids.get(3)),
          new Document("_id", ids.get(3)).append("tenantId", tenant).append("replaced", true));
      items.deleteOne(new Document("_id", ids.get(4)));
      ObjectId marker = new ObjectId();
      items.insertOne(new Document("_id", marker).append("tenantId", tenant));
      String markerKey = "example_items {\"_id\":{\"$oid\":\"" + marker.toHexString() + "\"}}";
      await().atMost(DELIVERY).until(() -> subscriber.documents().containsKey(markerKey));
      assertThat(subscriber.documents()).isEqualTo(mongoDocuments(items, tenant, "example_items"));
      assertThat(subscriber.snapshotsTaken()).isEqualTo(1);

      // Dropping the collection resets its tenants' streams: the example takes a new snapshot.
      items.drop();
      await().atMost(DELIVERY).until(() -> subscriber.snapshotsTaken() >= 2);
      assertThat(Long.parseLong(subscriber.asOf())).isGreaterThan(11);
      assertThat(subscriber.documents()).isEmpty();
    }
  }

  /**
   * The documents table of the browser example, read in one script (the page re-renders it): {@code
   * _id} hex to the document shown.
   */
  private static Map<String, JsonNode> browserDocuments(WebDriver browser) {
    Object rows =
        ((JavascriptExecutor) browser)
            .executeScript(
                "return Array.from(document.querySelectorAll('#documents tr'))"
                    + ".map(tr => Array.from(tr.cells).map(td => td.textContent));");
    Map<String, JsonNode> shown = new TreeMap<>();
    for (Object row : (List<?>) rows) {
      List<?> cells = (List<?>) row;
      JsonNode key = json((String) cells.get(1));
      shown.put(key.path("_id").path("$oid").asText(), json((String) cells.get(2)));
    }
    return shown;
  }

  /** {@code tenant}'s documents in {@code collection}: {@code _id} hex to the document. */
  private static Map<String, JsonNode> mongoDocuments(
      MongoCollection<Document> collection, String tenant) {
    Map<String, JsonNode> documents = new TreeMap<>();
    for (Document document : collection.find(new Document("tenantId", tenant))) {
      documents.put(document.getObjectId("_id").toHexString(), json(document.toJson(RELAXED)));
    }
    return documents;
  }

  /** The same, keyed as {@link SnapshotSubscriber#documents()}: collection + " " + key JSON. */
  private static Map<String, JsonNode> mongoDocuments(
      MongoCollection<Document> collection, String tenant, String name) {
    Map<String, JsonNode> documents = new HashMap<>();
    for (Document document : collection.find(new Document("tenantId", tenant))) {
      Document key = new Document("_id", document.get("_id"));
      documents.put(name + " " + json(key.toJson(RELAXED)), json(document.toJson(RELAXED)));
    }
    return documents;
  }

  /** The tenant's newest id as the edge's polling endpoint reports it. */
  private static long latestId(String tenant) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(
                stack.edgeUrl().resolve("/v1/tenants/" + tenant + "/events/recent?limit=1"))
            .header("Authorization", "Bearer " + token(tenant))
            .build();
    HttpResponse<String> response =
        HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
    return json(response.body()).path("latestId").asLong(0);
  }

  private static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The live viewer served by the edge, with auth on: the token typed into the page reaches the
   * edge as the cookie or as {@code access_token}; events appear; another tenant's token is shown
   * as a refused stream (403), not retried.
   */
  @ParameterizedTest
  @ValueSource(strings = {"cookie", "query"})
  void theViewerStreamsWithTheTokenItIsGiven(String tokenVia) throws IOException {
    HeadlessChromium.assumeInstalled("the viewer with auth on");
    String tenant = tenant("viewer-" + tokenVia);
    WebDriver browser =
        HeadlessChromium.start(Files.createTempDirectory("changecast-viewer-auth-"));
    try {
      browser.get(stack.edgeUrl() + "/");
      connectViewer(browser, tenant, token("someone-else"), tokenVia);
      new WebDriverWait(browser, DELIVERY)
          .withMessage("the viewer did not report the refused stream")
          .until(driver -> driver.findElement(By.id("message")).getText().contains("HTTP 403"));

      connectViewer(browser, tenant, token(tenant), tokenVia);
      new WebDriverWait(browser, DELIVERY)
          .until(
              driver ->
                  "open".equals(driver.findElement(By.id("status")).getAttribute("data-state")));
      List<ObjectId> written = List.of(insert(tenant), insert(tenant));
      new WebDriverWait(browser, DELIVERY)
          .until(
              driver -> driver.findElements(By.cssSelector("#events tbody tr.event")).size() >= 2);
      assertThat(browser.findElements(By.cssSelector("#events tbody tr.event td.id")))
          .extracting(WebElement::getText)
          .containsExactly("2", "1");
      assertThat(browser.findElements(By.cssSelector("#events tbody tr.event td.key")))
          .extracting(WebElement::getText)
          .containsExactly(written.get(1).toHexString(), written.get(0).toHexString());
    } finally {
      browser.quit();
    }
  }

  private static void connectViewer(
      WebDriver browser, String tenant, String token, String tokenVia) {
    WebElement tenantField = browser.findElement(By.id("tenant"));
    tenantField.clear();
    tenantField.sendKeys(tenant);
    WebElement tokenField = browser.findElement(By.id("token"));
    tokenField.clear();
    tokenField.sendKeys(token);
    new Select(browser.findElement(By.id("token-via"))).selectByValue(tokenVia);
    browser.findElement(By.id("connect")).click();
  }

  /** The fenced block that follows {@code <!-- example: name -->} in the README. */
  private static List<String> readmeBlock(String name) throws IOException {
    List<String> lines = Files.readAllLines(README, StandardCharsets.UTF_8);
    int marker = lines.indexOf("<!-- example: " + name + " -->");
    assertThat(marker).as("README marker for example %s", name).isNotNegative();
    int open = marker + 1;
    assertThat(lines.get(open)).as("fence after the %s marker", name).startsWith("```");
    int close = open + 1;
    while (!lines.get(close).startsWith("```")) {
      close++;
    }
    return lines.subList(open + 1, close);
  }

  /** The README's block for {@code file} appears in the file verbatim (up to its indentation). */
  private static void assertReadmeBlockIsIn(String file) throws IOException {
    List<String> block = readmeBlock(file);
    List<String> source = Files.readAllLines(Path.of("..").resolve(file), StandardCharsets.UTF_8);
    boolean found = false;
    for (int start = 0; !found && start + block.size() <= source.size(); start++) {
      String first = source.get(start);
      int indent = first.length() - first.stripLeading().length();
      String prefix = " ".repeat(indent);
      found = true;
      for (int k = 0; found && k < block.size(); k++) {
        String expected = block.get(k).isEmpty() ? "" : prefix + block.get(k);
        found = source.get(start + k).equals(expected);
      }
    }
    assertThat(found).as("the README's snippet for %s is the file's text", file).isTrue();
  }

  private static List<String> idLines(List<String> lines) {
    return lines.stream().filter(l -> l.startsWith("id: ")).map(l -> l.substring(4)).toList();
  }

  private static List<String> dataLines(List<String> lines) {
    return lines.stream().filter(l -> l.startsWith("data: ")).map(l -> l.substring(6)).toList();
  }

  private static Thread readLines(Process process, List<String> lines) {
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader in =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                  lines.add(line);
                }
              } catch (IOException e) {
                // the process was stopped
              }
            },
            "curl-output");
    reader.setDaemon(true);
    reader.start();
    return reader;
  }

  private static int status(String tenant, String token) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(stack.edgeUrl().resolve("/v1/tenants/" + tenant + "/events/recent"));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return HttpClient.newHttpClient()
        .send(request.build(), HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }

  /** An HS256 token for {@code tenant}, valid for 10 minutes. */
  private static String token(String tenant) {
    Instant now = Instant.now();
    JWTClaimsSet claims =
        new JWTClaimsSet.Builder()
            .subject("client-examples")
            .issueTime(Date.from(now))
            .expirationTime(Date.from(now.plusSeconds(600)))
            .claim("tenant", tenant)
            .build();
    try {
      SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
      jwt.sign(new MACSigner(SECRET.getBytes(StandardCharsets.UTF_8)));
      return jwt.serialize();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  private static ObjectId insert(String tenant) {
    ObjectId id = new ObjectId();
    orders.insertOne(new Document("_id", id).append("tenantId", tenant).append("status", "placed"));
    return id;
  }

  private static String tenant(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  private static String pageOrigin() {
    return "http://127.0.0.1:" + pages.getAddress().getPort();
  }

  /** Serves the files of {@code dir} on loopback, like any static web server would. */
  private static HttpServer servePages(Path dir) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/",
        exchange -> {
          Path file = dir.resolve(exchange.getRequestURI().getPath().substring(1)).normalize();
          if (!file.startsWith(dir.normalize()) || !Files.isRegularFile(file)) {
            exchange.sendResponseHeaders(404, -1);
            exchange.close();
            return;
          }
          byte[] body = Files.readAllBytes(file);
          exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
          exchange.sendResponseHeaders(200, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    server.start();
    return server;
  }

  private static boolean onPath(String program) {
    String path = System.getenv("PATH");
    if (path == null) {
      return false;
    }
    for (String dir : path.split(File.pathSeparator)) {
      if (Files.isExecutable(Path.of(dir, program))) {
        return true;
      }
    }
    return false;
  }
}
