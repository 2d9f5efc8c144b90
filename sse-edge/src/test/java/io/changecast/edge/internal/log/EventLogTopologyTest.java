package io.changecast.edge.internal.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventLogTopologyTest {
  private static final String TOPIC = "changecast.events";

  @TempDir Path stateDir;

  private final EventHub hub = new EventHub();
  private final SourceClock clock = new SourceClock();
  private final AtomicInteger skipped = new AtomicInteger();
  private final List<Long> inputAges = new java.util.concurrent.CopyOnWriteArrayList<>();
  private TopologyTestDriver driver;
  private TestInputTopic<String, String> input;

  private void start(int retention) {
    start(retention, java.util.Optional.empty());
  }

  private void start(int retention, java.util.Optional<java.time.Duration> maxAge) {
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "edge-test-" + UUID.randomUUID());
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    driver =
        new TopologyTestDriver(
            EventLogTopology.build(
                TOPIC, retention, maxAge, hub, clock, skipped::incrementAndGet, inputAges::add),
            props);
    input = driver.createInputTopic(TOPIC, new StringSerializer(), new StringSerializer());
  }

  @AfterEach
  void close() {
    if (driver != null) {
      driver.close();
    }
  }

  private KeyValueStore<String, String> store() {
    return driver.getKeyValueStore(EventLogStore.STORE_NAME);
  }

  private static String envelope(String tenant, long id, long t, long i) {
    return "{\"id\":\""
        + id
        + "\",\"tenant\":\""
        + tenant
        + "\",\"type\":\"orders.updated\",\"clusterTime\":{\"t\":"
        + t
        + ",\"i\":"
        + i
        + "},\"wallTime\":1700000000123}";
  }

  private static List<Long> ids(List<Event> events) {
    return events.stream().map(Event::id).toList();
  }

  @Test
  void storesEventsPerTenantInIdOrder() {
    start(100);
    input.pipeInput("acme", envelope("acme", 1, 1700000000, 1));
    input.pipeInput("globex", envelope("globex", 1, 1700000000, 2));
    input.pipeInput("acme", envelope("acme", 2, 1700000000, 3));
    input.pipeInput("acme", envelope("acme", 3, 1700000001, 1));

    List<Event> acme = EventLogStore.readAfter(store(), "acme", 0);
    assertThat(ids(acme)).containsExactly(1L, 2L, 3L);
    assertThat(acme.get(1).json()).isEqualTo(envelope("acme", 2, 1700000000, 3));
    assertThat(acme).allMatch(event -> event.tenant().equals("acme"));
    assertThat(ids(EventLogStore.readAfter(store(), "acme", 2))).containsExactly(3L);
    assertThat(EventLogStore.readAfter(store(), "acme", 3)).isEmpty();
    assertThat(ids(EventLogStore.readAfter(store(), "globex", 0))).containsExactly(1L);
    assertThat(store().get(EventLogStore.key("acme", 2))).contains("\"id\":\"2\"");
  }

  @Test
  void idsSortNumericallyAcrossDigitCounts() {
    start(100);
    for (long id = 1; id <= 12; id++) {
      input.pipeInput("acme", envelope("acme", id, 1, id));
    }
    assertThat(ids(EventLogStore.readAfter(store(), "acme", 8))).containsExactly(9L, 10L, 11L, 12L);
  }

  @Test
  void tenantsThatArePrefixesOfOthersStayApart() {
    start(100);
    input.pipeInput("acme", envelope("acme", 1, 1, 1));
    input.pipeInput("acme.eu", envelope("acme.eu", 1, 1, 2));
    input.pipeInput("acme-", envelope("acme-", 1, 1, 3));

    assertThat(EventLogStore.readAfter(store(), "acme", 0))
        .singleElement()
        .satisfies(event -> assertThat(event.json()).contains("\"tenant\":\"acme\""));
  }

  @Test
  void retentionByAgeDropsEventsRoutedTooLongBeforeANewerRecord() {
    start(100, java.util.Optional.of(java.time.Duration.ofSeconds(2)));
    for (long id = 1; id <= 3; id++) {
      input.pipeInput("acme", routed("acme", id, 1000 * id), 1000 * id);
    }
    input.pipeInput("globex", routed("globex", 1, 1000), 1000);
    assertThat(ids(EventLogStore.readAfter(store(), "acme", 0))).containsExactly(1L, 2L, 3L);

    input.pipeInput("acme", routed("acme", 4, 5000), 5000); // cutoff 3000: 1 and 2 go

    assertThat(ids(EventLogStore.readAfter(store(), "acme", 0))).containsExactly(3L, 4L);
    assertThat(ids(EventLogStore.readAfter(store(), "globex", 0))).containsExactly(1L);
    assertThat(EventLogStore.firstId(store(), "acme", false)).hasValue(3);
    assertThat(EventLogStore.firstId(store(), "acme", true)).hasValue(4);
  }

  private static String routed(String tenant, long id, long routedAt) {
    return "{\"id\":\"" + id + "\",\"tenant\":\"" + tenant + "\",\"routedAt\":" + routedAt + "}";
  }

  @Test
  void retentionKeepsTheNewestEventsOfEachTenant() {
    start(3);
    for (long id = 1; id <= 5; id++) {
      input.pipeInput("acme", envelope("acme", id, 1, id));
    }
    input.pipeInput("globex", envelope("globex", 1, 1, 9));
    input.pipeInput("globex", envelope("globex", 2, 1, 10));

    assertThat(ids(EventLogStore.readAfter(store(), "acme", 0))).containsExactly(3L, 4L, 5L);
    assertThat(ids(EventLogStore.readAfter(store(), "globex", 0))).containsExactly(1L, 2L);
    assertThat(store().get(EventLogStore.key("acme", 2))).isNull();
    try (var all = store().all()) {
      int count = 0;
      while (all.hasNext()) {
        all.next();
        count++;
      }
      assertThat(count).isEqualTo(5);
    }
  }

  @Test
  void recordsTheLatestClusterTimeSeen() {
    start(100);
    assertThat(clock.latest()).isEmpty();
    input.pipeInput("acme", envelope("acme", 1, 1700000000, 5));
    input.pipeInput("globex", envelope("globex", 1, 1700000002, 1));
    input.pipeInput("acme", envelope("acme", 2, 1700000001, 9)); // older than globex's

    assertThat(clock.latest()).contains(new ClusterTime(1700000002, 1));
    assertThat(clock.latest().orElseThrow()).hasToString("1700000002.1");
  }

  @Test
  void reportsHowLongAfterItsRoutedAtEachEventIsHandedOver() {
    start(100);
    long routedAt = System.currentTimeMillis() - 60_000;
    input.pipeInput("acme", "{\"id\":\"1\",\"tenant\":\"acme\",\"routedAt\":" + routedAt + "}");
    input.pipeInput("acme", envelope("acme", 2, 1, 1)); // no routedAt: nothing to report

    assertThat(inputAges).hasSize(1);
    assertThat(inputAges.get(0)).isBetween(60_000L, 60_000L + WAIT_BOUND_MS);
  }

  /** Generous bound on the test's own run time between stamping routedAt and the hand-over. */
  private static final long WAIT_BOUND_MS = 60_000;

  @Test
  void notifiesSubscribersOfTheTenantAfterStoring() {
    start(100);
    List<Event> seen = new CopyOnWriteArrayList<>();
    List<Boolean> storedFirst = new CopyOnWriteArrayList<>();
    hub.subscribe(
        "acme",
        event -> {
          seen.add(event);
          storedFirst.add(store().get(EventLogStore.key("acme", event.id())) != null);
        });
    input.pipeInput("acme", envelope("acme", 1, 1, 1));
    input.pipeInput("globex", envelope("globex", 1, 1, 2));
    input.pipeInput("acme", envelope("acme", 2, 1, 3));

    assertThat(ids(seen)).containsExactly(1L, 2L);
    assertThat(storedFirst).containsOnly(true);
  }

  @Test
  void skipsRecordsThatAreNotUsableEnvelopes() {
    start(100);
    input.pipeInput("acme", "not json");
    input.pipeInput("acme", "{\"tenant\":\"acme\"}");
    input.pipeInput("acme", "{\"id\":\"-3\"}");
    input.pipeInput("bad/tenant", envelope("bad/tenant", 1, 1, 1));
    input.pipeInput("acme", (String) null);
    input.pipeInput("acme", envelope("acme", 1, 1, 1));

    assertThat(skipped).hasValue(5);
    assertThat(ids(EventLogStore.readAfter(store(), "acme", 0))).containsExactly(1L);
  }

  @Test
  void skipsTenantsTheSharedRuleRefusesDotSegmentsIncluded() {
    start(100);
    input.pipeInput("..", envelope("..", 1, 1, 1));
    input.pipeInput(".", envelope(".", 1, 1, 2));
    input.pipeInput((String) null, envelope("bad tenant/!", 1, 1, 3));
    input.pipeInput(".acme", envelope(".acme", 1, 1, 4));

    assertThat(skipped).hasValue(3);
    assertThat(EventLogStore.readAfter(store(), "..", 0)).isEmpty();
    assertThat(EventLogStore.readAfter(store(), ".", 0)).isEmpty();
    assertThat(ids(EventLogStore.readAfter(store(), ".acme", 0))).containsExactly(1L);
  }

  @Test
  void keylessRecordsUseTheEnvelopeTenantAndMultiLineJsonIsFlattened() {
    start(100);
    input.pipeInput((String) null, "{\n  \"id\": \"1\",\n  \"tenant\": \"acme\"\n}");

    assertThat(EventLogStore.readAfter(store(), "acme", 0))
        .singleElement()
        .satisfies(
            event -> assertThat(event.json()).isEqualTo("{\"id\":\"1\",\"tenant\":\"acme\"}"));
  }
}
