package io.changecast.router.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.changecast.router.ChangeEvent;
import io.changecast.router.Envelope;
import io.changecast.router.RouterMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DedupeProcessorTest {

  private static final String STORE = "dedupe-tokens";

  private SimpleMeterRegistry registry;
  private MockProcessorContext<String, Step> context;
  private KeyValueStore<String, String> store;

  @BeforeEach
  void setUp() {
    registry = new SimpleMeterRegistry();
    context = new MockProcessorContext<>();
    store =
        Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(STORE), Serdes.String(), Serdes.String())
            .withLoggingDisabled()
            .build();
    store.init(context.getStateStoreContext(), store);
    context.addStateStore(store);
    at("changecast.raw.app.orders", 0);
  }

  private DedupeProcessor processor(long window) {
    DedupeProcessor processor = new DedupeProcessor(STORE, window, new RouterMetrics(registry));
    processor.init(context);
    return processor;
  }

  private void at(String topic, int partition) {
    context.setRecordMetadata(topic, partition, 0);
  }

  @Test
  void dropsARepeatedResumeTokenAndCountsIt() {
    DedupeProcessor processor = processor(100);
    for (String token : List.of("a", "b", "a", "c", "b", "b")) {
      processor.process(record(token));
    }

    assertThat(forwardedTokens()).containsExactly("a", "b", "c");
    assertThat(
            registry
                .counter(RouterMetrics.DUPLICATES, "topic", "changecast.raw.app.orders")
                .count())
        .isEqualTo(3.0);
  }

  @Test
  void remembersTokensAcrossARestartThroughTheStore() {
    processor(100).process(record("a"));
    processor(100).process(record("a"));
    processor(100).process(record("b"));

    assertThat(forwardedTokens()).containsExactly("a", "b");
  }

  @Test
  void scopesTokensToTheSourcePartition() {
    DedupeProcessor processor = processor(100);
    processor.process(record("a"));
    at("changecast.raw.app.orders", 1);
    processor.process(record("a"));
    at("changecast.raw.app.invoices", 0);
    processor.process(record("a"));
    processor.process(record("a"));

    assertThat(forwardedTokens()).containsExactly("a", "a", "a");
  }

  @Test
  void keepsOnlyTheLastWindowTokensPerPartition() {
    DedupeProcessor processor = processor(3);
    for (String token : List.of("a", "b", "c", "d")) {
      processor.process(record(token));
    }
    processor.process(record("b")); // still in the window: dropped
    processor.process(record("a")); // evicted by d: passes (and evicts b)

    assertThat(forwardedTokens()).containsExactly("a", "b", "c", "d", "a");
    List<String> keys = new ArrayList<>();
    store.all().forEachRemaining(kv -> keys.add(kv.key));
    // 3 ring slots and 3 tokens: bounded, whatever the number of events
    assertThat(keys).hasSize(6);
  }

  @Test
  void continuesTheRingAfterARestartFromTheRememberedTokens() {
    DedupeProcessor first = processor(3);
    for (String token : List.of("a", "b", "c", "d")) {
      first.process(record(token));
    }
    DedupeProcessor restarted = processor(3); // a new task instance on the same store
    restarted.process(record("e")); // evicts b, the oldest remembered token
    restarted.process(record("c")); // still in the window: dropped
    restarted.process(record("b")); // evicted: passes

    assertThat(forwardedTokens()).containsExactly("a", "b", "c", "d", "e", "b");
  }

  @Test
  void continuesFromTheCounterOfEarlierVersions() {
    // an earlier version wrote c|<scope> on every event; its ring slots stay in use
    String scope = "changecast.raw.app.orders\u0000" + 0;
    store.put("c\u0000" + scope, "5");
    store.put("r\u0000" + scope + "\u00002", tokenKey("x"));
    store.put("t\u0000" + scope + "\u0000" + tokenKey("x"), "2");
    DedupeProcessor processor = processor(3);
    processor.process(record("x")); // remembered: dropped
    processor.process(record("y")); // seen 5 -> slot 2: evicts x
    processor.process(record("x"));

    assertThat(forwardedTokens()).containsExactly("y", "x");
  }

  private static String tokenKey(String token) {
    return DedupeProcessor.token(record(token).value());
  }

  @Test
  void passesEventsWithoutATokenAndRejectedSteps() {
    DedupeProcessor processor = processor(10);
    processor.process(new Record<>("k", new Step.Parsed("raw", event(null)), 0L));
    processor.process(new Record<>("k", new Step.Parsed("raw", event(null)), 0L));
    processor.process(
        new Record<>("k", new Step.Rejected("raw", Stage.PARSE, Reason.MALFORMED_JSON, "bad"), 0L));

    assertThat(context.forwarded()).hasSize(3);
  }

  @Test
  void tokenIdentityIgnoresFieldOrder() {
    var json = JsonNodeFactory.instance;
    Step one = new Step.Parsed("r", event(json.objectNode().put("_data", "x").put("v", 1)));
    Step two = new Step.Parsed("r", event(json.objectNode().put("v", 1).put("_data", "x")));
    DedupeProcessor processor = processor(10);
    processor.process(new Record<>("k", one, 0L));
    processor.process(new Record<>("k", two, 0L));

    assertThat(context.forwarded()).hasSize(1);
  }

  private List<String> forwardedTokens() {
    return context.forwarded().stream()
        .map(f -> ((Step.Parsed) f.record().value()).event().resumeToken().get("_data").asText())
        .toList();
  }

  private static Record<String, Step> record(String token) {
    var json = JsonNodeFactory.instance;
    return new Record<>(
        "k", new Step.Parsed("raw", event(json.objectNode().put("_data", token))), 0L);
  }

  private static ChangeEvent event(com.fasterxml.jackson.databind.JsonNode token) {
    var json = JsonNodeFactory.instance;
    return new ChangeEvent(
        ChangeEvent.Operation.INSERT,
        "app",
        "orders",
        json.objectNode().put("_id", 1),
        json.objectNode().put("_id", 1).put("tenantId", "acme"),
        null,
        new Envelope.ClusterTime(1_700_000_000L, 1),
        null,
        token,
        null);
  }
}
