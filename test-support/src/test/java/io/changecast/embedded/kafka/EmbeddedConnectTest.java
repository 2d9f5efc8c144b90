package io.changecast.embedded.kafka;

import static io.changecast.testsupport.KafkaBroker.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.changecast.testsupport.CountingSourceConnector;
import io.changecast.testsupport.KafkaBroker;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The embedded Connect worker, on the run's shared broker with the test source connector. */
class EmbeddedConnectTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @RegisterExtension static final KafkaBroker kafka = new KafkaBroker();

  private static EmbeddedConnect connect;

  @BeforeAll
  static void start() {
    connect = kafka.startConnect(options -> options);
  }

  @AfterAll
  static void stop() {
    if (connect != null) {
      connect.close();
    }
  }

  @Test
  void restApiListsTheMongoConnectorsFoundByServiceLoading() throws Exception {
    assertThat(connect.restUrl().getHost()).isEqualTo("127.0.0.1");

    JsonNode plugins = getJson("/connector-plugins");

    List<String> classes = new ArrayList<>();
    plugins.forEach(p -> classes.add(p.path("class").asText()));
    assertThat(classes)
        .contains(
            "com.mongodb.kafka.connect.MongoSourceConnector",
            "com.mongodb.kafka.connect.MongoSinkConnector");
  }

  @Test
  void connectorRunsWritesSchemalessJsonAndCommitsOffsets() throws Exception {
    String name = unique("counting");
    String topic = unique("counted");
    Map<String, String> config =
        Map.of(
            "connector.class", CountingSourceConnector.class.getName(),
            "tasks.max", "1",
            "topic", topic,
            "count", "5",
            "topic.creation.default.replication.factor", "1",
            "topic.creation.default.partitions", "1");

    connect.putConnector(name, config);
    connect.putConnector(name, config); // idempotent
    connect.awaitConnectorRunning(name, Duration.ofSeconds(30));

    List<String> values = consume(topic, 5);
    assertThat(values)
        .containsExactly("{\"n\":0}", "{\"n\":1}", "{\"n\":2}", "{\"n\":3}", "{\"n\":4}");

    // offset.flush.interval.ms is short: the last source offset reaches the offsets topic soon.
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(getJson("/connectors/" + name + "/offsets").toString())
                    .contains("\"offset\":{\"n\":4}"));
  }

  @Test
  void restartedWorkerKeepsItsConnectorsAndResumesFromCommittedOffsets() {
    ConnectOptions options =
        ConnectOptions.defaults(kafka.bootstrapServers()).withGroupId(unique("restart"));
    String name = unique("resuming");
    String topic = unique("resumed");
    Map<String, String> config =
        new HashMap<>(
            Map.of(
                "connector.class",
                CountingSourceConnector.class.getName(),
                "topic",
                topic,
                "count",
                "3"));

    try (EmbeddedConnect first = EmbeddedConnect.start(options)) {
      first.putConnector(name, config);
      first.awaitConnectorRunning(name, Duration.ofSeconds(30));
      assertThat(consume(topic, 3)).hasSize(3);
    } // a graceful stop commits the task's offsets

    try (EmbeddedConnect second = EmbeddedConnect.start(options)) {
      second.awaitConnectorRunning(name, Duration.ofSeconds(30)); // config survived the restart
      config.put("count", "5");
      second.putConnector(name, config);
      assertThat(consume(topic, 5))
          .containsExactly("{\"n\":0}", "{\"n\":1}", "{\"n\":2}", "{\"n\":3}", "{\"n\":4}");
    }
  }

  @Test
  void invalidConnectorConfigIsReportedWithTheRestErrorBody() {
    assertThatThrownBy(
            () ->
                connect.putConnector(
                    unique("bogus"), Map.of("connector.class", "com.example.NoSuchConnector")))
        .isInstanceOfSatisfying(
            ConnectRestException.class,
            e -> {
              assertThat(e.status()).isEqualTo(400);
              assertThat(e.body()).contains("com.example.NoSuchConnector");
            });
  }

  @Test
  void failedTaskIsReportedByAwaitConnectorRunning() {
    String name = unique("failing");
    connect.putConnector(
        name,
        Map.of(
            "connector.class", CountingSourceConnector.class.getName(),
            "topic", unique("never"),
            "fail", "true"));

    assertThatThrownBy(() -> connect.awaitConnectorRunning(name, Duration.ofSeconds(30)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("failed")
        .hasMessageContaining("failing as configured");
  }

  private static JsonNode getJson(String path) throws Exception {
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(connect.restUrl() + path)).GET().build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return JSON.readTree(response.body());
  }

  private static List<String> consume(String topic, int n) {
    return kafka.read(topic, n, Duration.ofSeconds(30)).stream()
        .map(ConsumerRecord::value)
        .toList();
  }
}
