package io.changecast.clients;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.changecast.local.LocalOptions;
import io.changecast.local.LocalStack;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Today's MongoDB clients against {@code ./changecast local}'s MongoDB, each in its own process and
 * running the README's snippet as it is (only the port differs): mongosh, the Node driver, the Java
 * driver 5.x and pymongo each open a change stream, insert, commit a transaction of two inserts,
 * abort one of one insert, insert again, and read the stream up to that last insert. The stream
 * holds exactly the four committed writes, the transaction's two with one {@code clusterTime},
 * {@code lsid} and {@code txnNumber}, in resume-token order; the aborted insert is nowhere; and all
 * four reach the tenant's events at the edge. One stack serves the four clients, each with its own
 * tenant.
 */
class MongoClientsTest {

  private static final String CLIENTS = "client-tests/src/test/clients/";
  private static final Path APP_SOURCE = Path.of("..", "connect-configs", "app-source.json");
  private static final Path RUN_DIR =
      Path.of(System.getProperty("clients.dir", "target/clients")).toAbsolutePath();
  private static final String README_ADDRESS = "127.0.0.1:27017";
  private static final Duration RUN = Duration.ofSeconds(90);
  private static final Duration DELIVERY = Duration.ofSeconds(60);
  private static final ObjectMapper JSON = new ObjectMapper();

  private static LocalStack stack;
  private static String address;

  @BeforeAll
  static void start() {
    stack = LocalStack.start(LocalOptions.ephemeral(APP_SOURCE));
    address = URI.create(stack.mongoConnectionString()).getAuthority();
  }

  @AfterAll
  static void stop() {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void mongosh() {
    Path dir = RUN_DIR.resolve("mongosh");
    Path script = runnable("mongosh/orders.js", dir);
    List<String> command = List.of(String.join(" ", ReadmeExamples.block("mongosh")).split(" +"));
    assertThat(command)
        .as("the README's mongosh command line")
        .containsExactly("mongosh", "mongodb://" + README_ADDRESS + "/app", "--quiet", "orders.js");
    ChildProcess.Finished run =
        ChildProcess.run(
            List.of(
                ClientTools.mongosh().toString(),
                command.get(1).replace(README_ADDRESS, address),
                "--quiet",
                script.getFileName().toString()),
            dir,
            Map.of(),
            RUN);
    assertWroteCommittedAndWatched(run, "acme");
  }

  @Test
  void nodeDriver() {
    Path dir = ClientTools.nodeRunDir(RUN_DIR.resolve("node"));
    Path script = runnable("node/orders.mjs", dir);
    ChildProcess.Finished run =
        ChildProcess.run(List.of("node", script.toString()), dir, Map.of(), RUN);
    assertWroteCommittedAndWatched(run, "globex");
  }

  @Test
  void javaDriver5() {
    Path dir = RUN_DIR.resolve("java");
    Path script = runnable("java/Orders.java", dir);
    ChildProcess.Finished run =
        ChildProcess.run(
            List.of(
                ClientTools.java(), "-cp", ClientTools.javaDriverClassPath(), script.toString()),
            dir,
            Map.of(),
            RUN);
    assertWroteCommittedAndWatched(run, "umbrella");
  }

  @Test
  void pymongo() {
    Path dir = RUN_DIR.resolve("pymongo");
    Path script = runnable("python/orders.py", dir);
    ChildProcess.Finished run =
        ChildProcess.run(
            List.of(ClientTools.python().toString(), script.toString()), dir, Map.of(), RUN);
    assertWroteCommittedAndWatched(run, "initech");
  }

  /**
   * The client's script, checked against the README's snippet, copied into {@code dir} with the
   * README's MongoDB address replaced by the stack's.
   */
  private static Path runnable(String script, Path dir) {
    ReadmeExamples.assertBlockIsIn(CLIENTS + script);
    try {
      String text = Files.readString(Path.of("src/test/clients", script), StandardCharsets.UTF_8);
      if (!script.startsWith("mongosh/")) { // mongosh takes the URI on its command line
        assertThat(text)
            .as("%s connects with the README's URI", script)
            .contains("\"mongodb://" + README_ADDRESS + "/app\"");
      }
      Files.createDirectories(dir);
      Path copy = dir.resolve(Path.of(script).getFileName());
      Files.writeString(copy, text.replace(README_ADDRESS, address), StandardCharsets.UTF_8);
      return copy;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void assertWroteCommittedAndWatched(ChildProcess.Finished run, String tenant) {
    assertThat(run.exitCode()).as("the client's exit code\n%s", run.describe()).isZero();
    ClientOutput out = ClientOutput.parse(run);
    String described = run.describe();

    assertThat(out.committed()).as("the transaction's two ids\n%s", described).hasSize(2);
    assertThat(out.aborted()).as("documents of the aborted transaction\n%s", described).isZero();
    List<JsonNode> changes = out.changes();
    assertThat(changes)
        .as(
            "the change stream: insert, the transaction's two inserts, the last insert\n%s",
            described)
        .hasSize(4);
    assertThat(changes)
        .allSatisfy(
            change -> {
              assertThat(change.path("operationType").asText()).isEqualTo("insert");
              assertThat(change.path("ns").path("db").asText()).isEqualTo("app");
              assertThat(change.path("ns").path("coll").asText()).isEqualTo("orders");
              assertThat(change.path("fullDocument").path("tenantId").asText()).isEqualTo(tenant);
            });
    assertThat(changes)
        .extracting(change -> change.path("fullDocument").path("status").asText())
        .containsExactly("placed", "paid", "paid", "shipped");
    assertThat(changes.subList(0, 3))
        .extracting(change -> change.path("documentKey").path("_id"))
        .containsExactly(out.inserted(), out.committed().get(0), out.committed().get(1));

    JsonNode first = changes.get(0);
    JsonNode tx1 = changes.get(1);
    JsonNode tx2 = changes.get(2);
    JsonNode last = changes.get(3);
    assertThat(tx1.has("txnNumber") && tx1.has("lsid"))
        .as("a transaction's event carries its txnNumber and lsid: %s", tx1)
        .isTrue();
    assertThat(tx2.path("txnNumber")).isEqualTo(tx1.path("txnNumber"));
    assertThat(tx2.path("lsid")).isEqualTo(tx1.path("lsid"));
    assertThat(tx2.path("clusterTime"))
        .as("one clusterTime for the transaction's events")
        .isEqualTo(tx1.path("clusterTime"));
    assertThat(first.has("txnNumber") || first.has("lsid") || last.has("txnNumber"))
        .as("writes outside a transaction carry no txnNumber or lsid")
        .isFalse();
    assertThat(List.of(first, tx1, last))
        .extracting(MongoClientsTest::clusterTime)
        .as("clusterTime grows: before, at and after the commit")
        .isSorted()
        .doesNotHaveDuplicates();
    List<String> tokens = new ArrayList<>();
    changes.forEach(change -> tokens.add(change.path("_id").path("_data").asText()));
    assertThat(tokens).as("resume tokens in event order").isSorted().doesNotHaveDuplicates();

    assertReachedTheEdge(tenant, changes);
  }

  /** The four writes are the tenant's events 1..4 at the edge, in the stream's order. */
  private static void assertReachedTheEdge(String tenant, List<JsonNode> changes) {
    List<JsonNode> events = new ArrayList<>();
    await()
        .atMost(DELIVERY)
        .until(
            () -> {
              events.clear();
              recent(tenant).path("events").forEach(events::add);
              return events.size() >= changes.size();
            });
    assertThat(events).extracting(e -> e.path("id").asText()).containsExactly("1", "2", "3", "4");
    assertThat(events)
        .extracting(e -> e.path("documentKey").path("_id"))
        .containsExactlyElementsOf(
            changes.stream().map(change -> change.path("documentKey").path("_id")).toList());
  }

  private static JsonNode recent(String tenant) throws IOException, InterruptedException {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        stack.edgeUrl().resolve("/v1/tenants/" + tenant + "/events/recent"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return JSON.readTree(response.body());
  }

  /** A change's clusterTime (relaxed Extended JSON {@code $timestamp}) as one sortable number. */
  private static Long clusterTime(JsonNode change) {
    JsonNode ts = change.path("clusterTime").path("$timestamp");
    return (ts.path("t").asLong() << 32) | ts.path("i").asLong();
  }
}
