package io.changecast.router.internal.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.changecast.router.event.ChangeEvent;
import io.changecast.router.event.Envelope;
import io.changecast.router.internal.parse.Stage;
import io.changecast.router.internal.parse.Step;
import io.changecast.router.metrics.Reason;
import io.changecast.router.metrics.RouterMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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
    return processor(window, DedupeProcessor.BUCKETS);
  }

  private DedupeProcessor processor(long window, int buckets) {
    DedupeProcessor processor =
        new DedupeProcessor(STORE, window, buckets, new RouterMetrics(registry));
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
  void dropsEveryStreamPositionNotAboveTheHighWaterMarkWhateverTheWindow() {
    DedupeProcessor processor = processor(2);
    for (String token : List.of("8201", "8202", "8203", "8204", "8205")) {
      processor.process(mark(token));
    }
    // a connector restart from 8201: the suffix comes again, far beyond the window of 2
    for (String token : List.of("8202", "8203", "8204", "8205", "8206", "8207")) {
      processor.process(mark(token));
    }
    processor.process(mark("8207A0")); // above 8207 in stream order (a longer KeyString)
    processor.process(mark("8207")); // a single re-send

    assertThat(forwardedTokens())
        .containsExactly("8201", "8202", "8203", "8204", "8205", "8206", "8207", "8207A0");
    assertThat(
            registry
                .counter(RouterMetrics.DUPLICATES, "topic", "changecast.raw.app.orders")
                .count())
        .isEqualTo(5.0);
    assertThat(storeContents())
        .containsExactly(Map.entry("w\u0000changecast.raw.app.orders\u00000", "8207A0"));
  }

  @Test
  void remembersTokensAcrossARestartThroughTheStore() {
    processor(100).process(record("a"));
    processor(100).process(record("a"));
    processor(100).process(record("b"));
    processor(100).process(mark("82AA"));
    processor(100).process(mark("82AA"));
    processor(100).process(mark("82A9"));
    processor(100).process(mark("82AB"));

    assertThat(forwardedTokens()).containsExactly("a", "b", "82AA", "82AB");
  }

  @Test
  void scopesTokensToTheSourcePartition() {
    DedupeProcessor processor = processor(100);
    processor.process(record("a"));
    processor.process(mark("82AA"));
    at("changecast.raw.app.orders", 1);
    processor.process(record("a"));
    processor.process(mark("82AA"));
    at("changecast.raw.app.invoices", 0);
    processor.process(record("a"));
    processor.process(record("a"));
    processor.process(mark("82AA"));
    processor.process(mark("82AA"));

    assertThat(forwardedTokens()).containsExactly("a", "82AA", "a", "82AA", "a", "82AA");
  }

  @Test
  void aDataTokenThatIsNotHexIsDedupedByWindow() {
    DedupeProcessor processor = processor(100);
    processor.process(mark("h"));
    processor.process(mark("g"));
    processor.process(mark("zz"));
    processor.process(mark("yy"));
    processor.process(mark("zz"));

    assertThat(forwardedTokens()).containsExactly("h", "g", "zz", "yy");
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, DedupeProcessor.BUCKETS})
  void keepsOnlyTheLastWindowTokensPerPartitionWhateverTheBuckets(int buckets) {
    DedupeProcessor processor = processor(3, buckets);
    for (String token : List.of("a", "b", "c", "d")) {
      processor.process(record(token));
    }
    processor.process(record("b")); // still in the window: dropped
    processor.process(record("a")); // out of the window since d: passes (and pushes b out)
    processor.process(record("b"));

    assertThat(forwardedTokens()).containsExactly("a", "b", "c", "d", "a", "b");
  }

  @Test
  void theStoreStaysBoundedAndEachEventWritesOneBucket() {
    DedupeProcessor processor = processor(3, 4);
    for (int i = 0; i < 1_000; i++) {
      processor.process(record("token-" + i));
    }

    assertThat(context.forwarded()).hasSize(1_000);
    Map<String, String> buckets = storeContents();
    assertThat(buckets).hasSizeLessThanOrEqualTo(4);
    assertThat(buckets.keySet()).allMatch(key -> key.startsWith("b\u0000"));
    // a bucket keeps what was in the window when it was last written, plus the new token
    assertThat(buckets.values()).allMatch(entries -> entries.split("\u0000").length / 2 <= 4);
  }

  @Test
  void continuesTheWindowAfterARestartFromTheRememberedTokens() {
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

  private Map<String, String> storeContents() {
    Map<String, String> contents = new TreeMap<>();
    try (KeyValueIterator<String, String> it = store.all()) {
      it.forEachRemaining(kv -> contents.put(kv.key, kv.value));
    }
    return contents;
  }

  @ParameterizedTest
  @ValueSource(strings = {"7", "7\u0000tok", "\u0000tok\u0000"})
  void aMalformedBucketFailsInsteadOfLooping(String malformed) {
    store.put("b\u0000changecast.raw.app.orders\u00000\u00000", malformed);

    assertThatThrownBy(() -> processor(10, 1))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("Malformed dedupe bucket");
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
        .map(f -> ((Step.Parsed) f.record().value()).event().resumeToken())
        .map(token -> token.has("_data") ? token.get("_data").asText() : token.get("_id").asText())
        .toList();
  }

  /** A token without a stream position (the official connector's copy-existing form). */
  private static Record<String, Step> record(String token) {
    var json = JsonNodeFactory.instance;
    return new Record<>(
        "k",
        new Step.Parsed("raw", event(json.objectNode().put("_id", token).put("copyingData", true))),
        0L);
  }

  /** A MongoDB resume token {@code {"_data": token}}. */
  private static Record<String, Step> mark(String token) {
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
