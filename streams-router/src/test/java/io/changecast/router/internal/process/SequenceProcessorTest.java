package io.changecast.router.internal.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.changecast.router.config.SequencingException;
import io.changecast.router.event.ChangeEvent;
import io.changecast.router.event.Envelope;
import io.changecast.router.event.EventTypes;
import io.changecast.router.internal.parse.Pending;
import io.changecast.router.metrics.RouterMetrics;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SequenceProcessorTest {

  private static final String STORE = "tenant-sequences";
  private static final Clock CLOCK = Clock.fixed(Instant.ofEpochMilli(42_000), ZoneOffset.UTC);

  private MockProcessorContext<String, Envelope> context;
  private KeyValueStore<String, Long> store;

  @BeforeEach
  void setUp() {
    context = new MockProcessorContext<>();
    store =
        Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(STORE), Serdes.String(), Serdes.Long())
            .withLoggingDisabled()
            .build();
    store.init(context.getStateStoreContext(), store);
    context.addStateStore(store);
  }

  private SequenceProcessor processor() {
    SequenceProcessor processor =
        new SequenceProcessor(STORE, CLOCK, RouterMetrics.inMemory(), 0, 0);
    processor.init(context);
    return processor;
  }

  @Test
  void whileCaughtUpCommitsAreRequestedOneLiveIntervalApart() {
    MutableClock clock = new MutableClock(42_000);
    SequenceProcessor processor =
        new SequenceProcessor(STORE, clock, RouterMetrics.inMemory(), 0, 10);
    processor.init(context);
    MockProcessorContext.CapturedPunctuator tick = context.scheduledPunctuators().get(0);
    assertThat(tick.getInterval()).hasMillis(10);
    assertThat(tick.getType()).isEqualTo(PunctuationType.WALL_CLOCK_TIME);
    tick.getPunctuator().punctuate(clock.millis());
    assertThat(context.committed()).as("nothing routed yet").isFalse();

    long fresh = clock.millis() - SequenceProcessor.CAUGHT_UP_MS;
    processor.process(new Record<>("acme", change(ChangeEvent.Operation.INSERT), fresh));
    assertThat(context.committed()).as("the first live record: at once").isTrue();

    context.resetCommit(); // Kafka Streams commits, then processes the next record
    clock.advance(4);
    processor.process(new Record<>("acme", change(ChangeEvent.Operation.INSERT), clock.millis()));
    tick.getPunctuator().punctuate(clock.millis());
    clock.advance(9);
    tick.getPunctuator().punctuate(clock.millis());
    assertThat(context.committed()).as("not within 10 ms of the last commit's end").isFalse();

    clock.advance(1);
    tick.getPunctuator().punctuate(clock.millis());
    assertThat(context.committed()).as("the tick, 10 ms after it").isTrue();

    context.resetCommit();
    clock.advance(50);
    tick.getPunctuator().punctuate(clock.millis());
    assertThat(context.committed()).as("nothing live since").isFalse();
  }

  @Test
  void behindABacklogCommitsAreLeftToTheCommitInterval() {
    SequenceProcessor processor =
        new SequenceProcessor(STORE, CLOCK, RouterMetrics.inMemory(), 0, 10);
    processor.init(context);
    long old = CLOCK.millis() - SequenceProcessor.CAUGHT_UP_MS - 1;
    processor.process(new Record<>("acme", change(ChangeEvent.Operation.INSERT), old));
    processor.process(new Record<>("acme", change(ChangeEvent.Operation.INSERT), old));

    context.scheduledPunctuators().get(0).getPunctuator().punctuate(CLOCK.millis());

    assertThat(context.committed()).isFalse();
    assertThat(context.forwarded()).hasSize(2);
  }

  @Test
  void withoutALiveIntervalNothingIsScheduled() {
    processor().process(new Record<>("acme", change(ChangeEvent.Operation.INSERT), CLOCK.millis()));

    assertThat(context.scheduledPunctuators()).isEmpty();
    assertThat(context.committed()).isFalse();
  }

  @Test
  void directSequencingRefusesATaskOtherThanPartitionZero() {
    MockProcessorContext<String, Envelope> second =
        new MockProcessorContext<>(new java.util.Properties(), new TaskId(0, 1), null);
    SequenceProcessor processor =
        new SequenceProcessor(STORE, CLOCK, RouterMetrics.inMemory(), 1, 0);

    assertThatThrownBy(() -> processor.init(second))
        .isInstanceOf(SequencingException.class)
        .hasMessage(
            "Direct sequencing assigns each tenant's ids in one of raw.partitions=1 tasks, but"
                + " task 0_1 exists: a raw topic or the ingest topic has more than 1 partition(s)."
                + " Give each of them raw.partitions partitions, or set the router's 'sequencing'"
                + " to by-tenant");
  }

  @Test
  void directSequencingRunsInTaskZero() {
    MockProcessorContext<String, Envelope> first =
        new MockProcessorContext<>(new java.util.Properties(), new TaskId(0, 0), null);
    first.addStateStore(store);
    SequenceProcessor processor =
        new SequenceProcessor(STORE, CLOCK, RouterMetrics.inMemory(), 1, 0);
    processor.init(first);
    processor.process(new Record<>("acme", change(ChangeEvent.Operation.INSERT), 5L));

    assertThat(first.forwarded()).extracting(f -> f.record().value().id()).containsExactly("1");
  }

  @Test
  void assignsGaplessIdsPerTenantInInputOrder() {
    SequenceProcessor processor = processor();
    for (String tenant : List.of("acme", "globex", "acme", "acme", "globex")) {
      processor.process(new Record<>(tenant, change(ChangeEvent.Operation.INSERT), 5L));
    }

    assertThat(context.forwarded())
        .extracting(f -> f.record().key() + ":" + f.record().value().id())
        .containsExactly("acme:1", "globex:1", "acme:2", "acme:3", "globex:2");
    assertThat(store.get("acme")).isEqualTo(3L);
    assertThat(store.get("globex")).isEqualTo(2L);
  }

  @Test
  void continuesFromTheStoreAfterARestart() {
    processor().process(new Record<>("acme", change(ChangeEvent.Operation.INSERT), 1L));
    processor().process(new Record<>("acme", change(ChangeEvent.Operation.DELETE), 2L));

    assertThat(context.forwarded())
        .extracting(f -> f.record().value().id())
        .containsExactly("1", "2");
  }

  @Test
  void buildsTheEnvelopeAndKeepsTimestampAndHeaders() {
    RecordHeaders headers = new RecordHeaders();
    headers.add("trace", "t-1".getBytes(StandardCharsets.UTF_8));

    processor().process(new Record<>("acme", change(ChangeEvent.Operation.DELETE), 77L, headers));

    Record<? extends String, ? extends Envelope> out = context.forwarded().get(0).record();
    assertThat(out.timestamp()).isEqualTo(77L);
    assertThat(out.headers().lastHeader("trace").value())
        .isEqualTo("t-1".getBytes(StandardCharsets.UTF_8));
    Envelope envelope = out.value();
    assertThat(envelope.id()).isEqualTo("1");
    assertThat(envelope.tenant()).isEqualTo("acme");
    assertThat(envelope.type()).isEqualTo("orders.deleted");
    assertThat(envelope.operation()).isEqualTo("delete");
    assertThat(envelope.database()).isEqualTo("app");
    assertThat(envelope.collection()).isEqualTo("orders");
    assertThat(envelope.clusterTime()).isEqualTo(new Envelope.ClusterTime(1_700_000_000L, 1));
    assertThat(envelope.wallTime()).isEqualTo(1_700_000_000_123L);
    assertThat(envelope.routedAt()).isEqualTo(42_000L);
  }

  private static ChangeEvent event(ChangeEvent.Operation operation) {
    var json = JsonNodeFactory.instance;
    return new ChangeEvent(
        operation,
        "app",
        "orders",
        json.objectNode().put("_id", 1),
        null,
        null,
        new Envelope.ClusterTime(1_700_000_000L, 1),
        1_700_000_000_123L,
        null,
        null);
  }

  private static Pending change(ChangeEvent.Operation operation) {
    ChangeEvent event = event(operation);
    return new Pending.Change(event, EventTypes.byCollection(event));
  }

  @Test
  void resetsAndPublishedEventsTakeTheNextIdOfTheirTenant() {
    SequenceProcessor processor = processor();
    var json = JsonNodeFactory.instance;
    processor.process(new Record<>("acme", change(ChangeEvent.Operation.INSERT), 1L));
    processor.process(
        new Record<>(
            "acme",
            new Pending.Reset(
                "source-history-lost",
                json.arrayNode().add(json.objectNode().put("db", "app").put("coll", "orders")),
                new Envelope.ClusterTime(1_700_000_005L, 0)),
            2L));
    processor.process(
        new Record<>(
            "acme",
            new Pending.Publish("invoice.sent", json.objectNode().put("n", 1), 1_700_000_000_000L),
            3L));

    List<Envelope> out =
        context.forwarded().stream().map(f -> (Envelope) f.record().value()).toList();
    assertThat(out).extracting(Envelope::id).containsExactly("1", "2", "3");
    Envelope reset = out.get(1);
    assertThat(reset.type()).isEqualTo("changecast.reset");
    assertThat(reset.operation()).isEqualTo("reset");
    assertThat(reset.reason()).isEqualTo("source-history-lost");
    assertThat(reset.namespaces().get(0).get("coll").asText()).isEqualTo("orders");
    Envelope published = out.get(2);
    assertThat(published.type()).isEqualTo("invoice.sent");
    assertThat(published.operation()).isEqualTo("publish");
    assertThat(published.data().get("n").asInt()).isEqualTo(1);
  }

  @Test
  void recordsTheLagOfEachTenantsLatestEvent() {
    var registry = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
    Clock later = Clock.fixed(Instant.ofEpochMilli(1_700_000_000_123L + 400), ZoneOffset.UTC);
    SequenceProcessor processor =
        new SequenceProcessor(STORE, later, new RouterMetrics(registry, 1), 0, 0);
    processor.init(context);

    processor.process(new Record<>("acme", change(ChangeEvent.Operation.INSERT), 1L));
    processor.process(new Record<>("globex", change(ChangeEvent.Operation.INSERT), 2L));

    assertThat(
            registry
                .get(RouterMetrics.TENANT_LAG)
                .tag("tenant", "acme")
                .timeGauge()
                .value(java.util.concurrent.TimeUnit.MILLISECONDS))
        .isEqualTo(400);
    assertThat(registry.find(RouterMetrics.TENANT_LAG).tag("tenant", "globex").timeGauge())
        .isNull();
    assertThat(registry.get(RouterMetrics.TENANT_LAG_OVERFLOW).counter().count()).isEqualTo(1);
    assertThat(context.forwarded()).hasSize(2);
  }

  /** A clock the test moves. */
  private static final class MutableClock extends Clock {
    private long millis;

    MutableClock(long millis) {
      this.millis = millis;
    }

    void advance(long by) {
      millis += by;
    }

    @Override
    public long millis() {
      return millis;
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(millis);
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }
}
