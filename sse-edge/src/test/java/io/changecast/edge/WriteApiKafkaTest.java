package io.changecast.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.changecast.edge.config.EdgeConfig;
import io.changecast.testsupport.KafkaBroker;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The write API end to end: HTTP POST to the edge, a record on a real broker's ingest topic. */
class WriteApiKafkaTest {
  @RegisterExtension static final KafkaBroker kafka = new KafkaBroker();

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void postedEventsAreOnTheIngestTopicKeyedByTenant() throws Exception {
    String suffix = UUID.randomUUID().toString().substring(0, 8);
    String ingestTopic = "ingest-" + suffix;
    String eventsTopic = "events-" + suffix;
    kafka.createTopic(ingestTopic, 1);
    kafka.createTopic(eventsTopic, 1);
    EdgeConfig config =
        EdgeConfig.fromMap(
            Map.of(
                "bootstrap.servers",
                kafka.bootstrapServers(),
                "http.port",
                "0",
                "events.topic",
                eventsTopic,
                "ingest.topic",
                ingestTopic));
    HttpClient http = HttpClient.newHttpClient();
    try (ChangecastEdge edge = ChangecastEdge.start(config)) {
      URI uri = URI.create("http://127.0.0.1:" + edge.port() + "/v1/tenants/acme/events");
      for (int n = 1; n <= 3; n++) {
        HttpResponse<String> response =
            http.send(
                HttpRequest.newBuilder(uri)
                    .timeout(WAIT)
                    .header("Content-Type", "application/json")
                    .POST(
                        HttpRequest.BodyPublishers.ofString(
                            "{\"type\":\"invoice.sent\",\"data\":{\"n\":" + n + "}}"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(202);
        assertThat(response.body()).isEqualTo("{\"accepted\":true}");
      }
    }

    List<ConsumerRecord<String, String>> records = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer =
        kafka.consumer(Map.of(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"))) {
      // Assigned, not subscribed: no consumer group to join.
      consumer.assign(List.of(new TopicPartition(ingestTopic, 0)));
      await()
          .atMost(WAIT)
          .until(
              () -> {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                return records.size() >= 3;
              });
    }
    assertThat(records).hasSize(3);
    for (int i = 0; i < 3; i++) {
      ConsumerRecord<String, String> record = records.get(i);
      assertThat(record.key()).isEqualTo("acme");
      JsonNode value = JSON.readTree(record.value());
      assertThat(value.get("tenant").asText()).isEqualTo("acme");
      assertThat(value.get("type").asText()).isEqualTo("invoice.sent");
      assertThat(value.get("data")).isEqualTo(JSON.readTree("{\"n\":" + (i + 1) + "}"));
      assertThat(value.get("receivedAt").canConvertToLong()).isTrue();
    }
  }
}
