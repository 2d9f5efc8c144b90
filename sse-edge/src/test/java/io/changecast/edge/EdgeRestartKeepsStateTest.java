package io.changecast.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.changecast.edge.config.EdgeConfig;
import io.changecast.testsupport.KafkaBroker;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The document state survives a restart of the edge on the same state directory, on a real broker:
 * it is complete although the event log keeps only the newest 50 events per tenant, equal after the
 * restart, and the restart reads only the records written after the store's checkpoint (a count of
 * records, against the topic's total), not the topic from its start.
 */
class EdgeRestartKeepsStateTest {
  private static final Logger LOG = LoggerFactory.getLogger(EdgeRestartKeepsStateTest.class);
  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> TENANTS = List.of("acme", "globex", "initech");

  @RegisterExtension static final KafkaBroker kafka = new KafkaBroker();

  private final HttpClient http = HttpClient.newHttpClient();
  private final Map<String, Long> lastId = new HashMap<>();
  private final Map<String, Map<String, ObjectNode>> model = new HashMap<>();
  @TempDir Path stateDir;

  @Test
  void aRestartKeepsTheStateAndReadsOnlyTheRecordsAfterTheCheckpoint() throws Exception {
    long seed = Long.getLong("changecast.test.seed", System.nanoTime());
    LOG.info("seed {}", seed);
    Random random = new Random(seed);
    try (KafkaProducer<String, String> producer = kafka.producer(Map.of())) {
      String topic = KafkaBroker.unique("events-restart");
      kafka.createTopic(topic, 3);
      Map<String, String> config = new HashMap<>();
      config.put("bootstrap.servers", kafka.bootstrapServers());
      config.put("http.port", "0");
      config.put("events.topic", topic);
      config.put("application.id", KafkaBroker.unique("edge-restart-test"));
      config.put("state.dir", stateDir.toString());
      config.put("retention.events-per-tenant", "50");

      int before = 1500;
      write(producer, topic, random, before);
      Map<String, Map<String, JsonNode>> first;
      try (ChangecastEdge edge = ChangecastEdge.start(EdgeConfig.fromMap(config))) {
        await().atMost(WAIT).until(edge::ready);
        awaitApplied(edge);
        first = snapshots(edge);
        assertThat(first).isEqualTo(expected());
        assertThat(edge.recordsRead()).isEqualTo(before);
      }

      int after = 60; // written while the edge is down
      write(producer, topic, random, after);
      try (ChangecastEdge edge = ChangecastEdge.start(EdgeConfig.fromMap(config))) {
        await().atMost(WAIT).until(edge::ready);
        awaitApplied(edge);
        Map<String, Map<String, JsonNode>> second = snapshots(edge);
        assertThat(second).isEqualTo(expected());
        long reRead = edge.recordsRead();
        LOG.info(
            "restart read {} records of the topic's {} (written while down: {})",
            reRead,
            before + after,
            after);
        assertThat(reRead).isEqualTo(after);
        long held = expected().values().stream().mapToLong(Map::size).sum();
        assertThat(metrics(edge)).contains("changecast_edge_documents " + held + ".0");
      }
    }
  }

  /** Writes {@code count} change events spread over the tenants, mirrored in the model. */
  private void write(KafkaProducer<String, String> producer, String topic, Random random, int count)
      throws Exception {
    List<Future<RecordMetadata>> sent = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String tenant = TENANTS.get(random.nextInt(TENANTS.size()));
      long id = lastId.merge(tenant, 1L, Long::sum);
      Map<String, ObjectNode> docs = model.computeIfAbsent(tenant, t -> new TreeMap<>());
      String key = "k" + random.nextInt(40);
      ObjectNode envelope = JSON.createObjectNode();
      envelope.put("id", Long.toString(id)).put("tenant", tenant);
      envelope.put("database", "app").put("collection", "orders");
      envelope.putObject("documentKey").put("_id", key);
      ObjectNode doc = docs.get(key);
      int roll = random.nextInt(10);
      if (i % 97 == 0) {
        envelope.remove(List.of("database", "collection", "documentKey"));
        envelope.put("operation", "publish").put("type", "note");
        envelope.putObject("data").put("i", i);
      } else if (doc == null || roll < 2) {
        ObjectNode fresh = JSON.createObjectNode().put("_id", key).put("n", i);
        fresh.putObject("meta").put("v", 0).put("tmp", true);
        envelope.put("operation", doc == null ? "insert" : "replace");
        envelope.set("document", fresh.deepCopy());
        docs.put(key, fresh);
      } else if (roll < 8) {
        // an update without post-image: $set n and meta.v, $unset meta.tmp
        envelope.put("operation", "update");
        ObjectNode changes = envelope.putObject("changes");
        changes.putObject("updatedFields").put("n", i).put("meta.v", i);
        changes.putArray("removedFields").add("meta.tmp");
        changes.putArray("truncatedArrays");
        doc.put("n", i);
        ((ObjectNode) doc.path("meta")).put("v", i).remove("tmp");
      } else {
        envelope.put("operation", "delete");
        docs.remove(key);
      }
      sent.add(producer.send(new ProducerRecord<>(topic, tenant, envelope.toString())));
    }
    producer.flush(); // idempotent producer: each tenant's records stay in order
    for (Future<RecordMetadata> write : sent) {
      write.get(); // a record the broker refused fails the test here, not as a missing count later
    }
  }

  private Map<String, Map<String, JsonNode>> expected() {
    Map<String, Map<String, JsonNode>> expected = new TreeMap<>();
    for (String tenant : TENANTS) {
      expected.put(tenant, new TreeMap<>(model.getOrDefault(tenant, Map.of())));
    }
    return expected;
  }

  private void awaitApplied(ChangecastEdge edge) {
    for (String tenant : TENANTS) {
      String last = Long.toString(lastId.getOrDefault(tenant, 0L));
      await().atMost(WAIT).until(() -> page(edge, tenant, "").path("asOf").asText().equals(last));
    }
  }

  /** Every tenant's documents by _id, read in pages of 7. */
  private Map<String, Map<String, JsonNode>> snapshots(ChangecastEdge edge) throws Exception {
    Map<String, Map<String, JsonNode>> all = new TreeMap<>();
    for (String tenant : TENANTS) {
      Map<String, JsonNode> docs = new TreeMap<>();
      JsonNode page = page(edge, tenant, "?limit=7");
      while (true) {
        for (JsonNode entry : page.path("documents")) {
          docs.put(entry.path("documentKey").path("_id").asText(), entry.path("document"));
        }
        if (page.path("next").isNull()) {
          break;
        }
        String cursor = URLEncoder.encode(page.path("next").asText(), StandardCharsets.UTF_8);
        page = page(edge, tenant, "?limit=7&cursor=" + cursor);
      }
      all.put(tenant, docs);
    }
    return all;
  }

  private String metrics(ChangecastEdge edge) throws Exception {
    return http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + edge.port() + "/metrics"))
                .timeout(WAIT)
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  private JsonNode page(ChangecastEdge edge, String tenant, String query) throws Exception {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(
                    URI.create(
                        "http://127.0.0.1:"
                            + edge.port()
                            + "/v1/tenants/"
                            + tenant
                            + "/snapshot"
                            + query))
                .timeout(WAIT)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return JSON.readTree(response.body());
  }
}
