package io.changecast.edge.internal.documents;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.changecast.edge.internal.log.EventHub;
import io.changecast.edge.internal.log.EventLogStore;
import io.changecast.edge.internal.log.EventLogTopology;
import io.changecast.edge.internal.log.SourceClock;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The edge's topology with the document state on: each record updates the event log and the
 * documents in one persistent store, subscribers hear of an event once both are written, and
 * retention of the event log leaves the documents complete.
 */
class DocumentTopologyTest {
  private static final String TOPIC = "changecast.events";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path stateDir;
  private TopologyTestDriver driver;
  private TestInputTopic<String, String> input;
  private final EventHub hub = new EventHub();
  private final AtomicInteger records = new AtomicInteger();
  private Documents documents;

  private void start(int retention) {
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "edge-test-" + UUID.randomUUID());
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    documents = new Documents(() -> KeyValues.of(store()));
    driver =
        new TopologyTestDriver(
            EventLogTopology.build(
                TOPIC,
                retention,
                Optional.empty(),
                hub,
                new SourceClock(),
                () -> {},
                age -> {},
                Optional.of(documents),
                records::incrementAndGet),
            props);
    input = driver.createInputTopic(TOPIC, new StringSerializer(), new StringSerializer());
  }

  private org.apache.kafka.streams.state.KeyValueStore<String, String> store() {
    return driver.getKeyValueStore(EventLogStore.STORE_NAME);
  }

  @AfterEach
  void close() {
    if (driver != null) {
      driver.close();
    }
  }

  private static String envelope(long id, String op, String key, String rest) {
    return "{\"id\":\""
        + id
        + "\",\"tenant\":\"acme\",\"type\":\"orders."
        + op
        + "\",\"operation\":\""
        + op
        + "\",\"database\":\"app\",\"collection\":\"orders\","
        + "\"documentKey\":{\"_id\":\""
        + key
        + "\"}"
        + rest
        + "}";
  }

  @Test
  void documentsStayCompleteWhileTheEventLogKeepsOnlyTheNewestEvents() throws Exception {
    start(3);
    // The state trails the hand-over (its applier runs on a thread of its own), and the store
    // drains the applier before each flush (the test driver flushes after every record): when a
    // record is done with, its event is applied.
    List<Boolean> appliedWhenFlushed = new ArrayList<>();
    for (int id = 1; id <= 10; id++) {
      input.pipeInput("acme", envelope(id, "insert", "k" + id, ",\"document\":{\"n\":" + id + "}"));
      appliedWhenFlushed.add(documents.applied("acme") == id);
    }
    input.pipeInput(
        "acme", envelope(11, "update", "k1", ",\"changes\":{\"updatedFields\":{\"n\":100}}"));
    input.pipeInput("acme", envelope(12, "delete", "k2", ""));
    input.pipeInput(
        "acme",
        "{\"id\":\"13\",\"tenant\":\"acme\",\"type\":\"note\",\"operation\":\"publish\","
            + "\"data\":{\"x\":1}}");

    assertThat(EventLogStore.readAfter(store(), "acme", 0)).hasSize(3); // 11..13
    DocumentState.Page page =
        (DocumentState.Page) documents.page("acme", OptionalLong.empty(), null, 100, e -> true);
    assertThat(page.asOf()).isEqualTo(13);
    assertThat(page.entries()).hasSize(9);
    JsonNode k1 =
        page.entries().stream()
            .map(DocumentTopologyTest::parse)
            .filter(e -> e.path("documentKey").path("_id").asText().equals("k1"))
            .findFirst()
            .orElseThrow();
    assertThat(k1.path("document").path("n").asInt()).isEqualTo(100);
    assertThat(k1.path("id").asText()).isEqualTo("11");
    assertThat(documents.held()).isEqualTo(9);
    assertThat(records.get()).isEqualTo(13);
    assertThat(appliedWhenFlushed).hasSize(10).containsOnly(true);
    // the superseded versions left with their events: a snapshot as of 9 is gone, as of 10 is not
    assertThat(documents.page("acme", OptionalLong.of(9), null, 100, e -> true))
        .isInstanceOf(DocumentState.Expired.class);
    DocumentState.Page asOf10 =
        (DocumentState.Page) documents.page("acme", OptionalLong.of(10), null, 100, e -> true);
    assertThat(asOf10.entries()).hasSize(10);
  }

  private static JsonNode parse(String json) {
    try {
      return JSON.readTree(json);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
