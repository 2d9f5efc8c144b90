package io.changecast.edge.internal.log;

import io.changecast.edge.internal.documents.DocumentApplier;
import io.changecast.edge.internal.documents.Documents;
import io.changecast.edge.internal.documents.DrainingStore;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongConsumer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/** The edge's Kafka Streams topology: the events topic materialised into a global store. */
public final class EventLogTopology {
  /** Name of the source node reading the events topic. */
  public static final String SOURCE_NAME = "events-source";

  /** Name of the processor maintaining the store. */
  public static final String PROCESSOR_NAME = "event-log-processor";

  private EventLogTopology() {}

  /**
   * Builds the topology: every record of {@code eventsTopic} goes through {@link EventLogProcessor}
   * into the global store {@value EventLogStore#STORE_NAME}, without document state. Global, so
   * every edge instance holds every tenant; in memory with logging disabled, so the topic itself is
   * the changelog and a restart re-reads it.
   *
   * @param onSkipped called for each record that is not a usable envelope
   */
  public static Topology build(
      String eventsTopic,
      int retentionPerTenant,
      EventHub hub,
      SourceClock clock,
      Runnable onSkipped) {
    return build(
        eventsTopic,
        retentionPerTenant,
        Optional.empty(),
        hub,
        clock,
        onSkipped,
        age -> {},
        Optional.empty(),
        () -> {});
  }

  /** As the full form, without document state. */
  public static Topology build(
      String eventsTopic,
      int retentionPerTenant,
      Optional<Duration> maxAge,
      EventHub hub,
      SourceClock clock,
      Runnable onSkipped,
      LongConsumer inputAgeMillis) {
    return build(
        eventsTopic,
        retentionPerTenant,
        maxAge,
        hub,
        clock,
        onSkipped,
        inputAgeMillis,
        Optional.empty(),
        () -> {});
  }

  /**
   * As {@link #build(String, int, EventHub, SourceClock, Runnable)}, with retention by age too: an
   * event whose {@code routedAt} is more than {@code maxAge} older than the timestamp of a newer
   * record of the same tenant is dropped when that record arrives; and {@code inputAgeMillis} is
   * told, for each live event handed to the subscribers, how many milliseconds after its {@code
   * routedAt} that was (the router's clock against this one). With {@code documents} present the
   * store also keeps the document state (see {@link
   * io.changecast.edge.internal.documents.DocumentState}, applied by a {@link DocumentApplier}
   * behind the hand-over) and is persistent (RocksDB, restored from its checkpoint: a restart reads
   * only the records after it); without, it is in memory and a restart re-reads the topic. {@code
   * onRecord} is told of every record the processor handles, restore included.
   */
  public static Topology build(
      String eventsTopic,
      int retentionPerTenant,
      Optional<Duration> maxAge,
      EventHub hub,
      SourceClock clock,
      Runnable onSkipped,
      LongConsumer inputAgeMillis,
      Optional<Documents> documents,
      Runnable onRecord) {
    Topology topology = new Topology();
    // the processor's applier, drained by the store before each flush (see DrainingStore)
    AtomicReference<DocumentApplier> applier = new AtomicReference<>();
    topology.addGlobalStore(
        Stores.keyValueStoreBuilder(
                documents.isPresent()
                    ? DrainingStore.wrap(
                        Stores.persistentKeyValueStore(EventLogStore.STORE_NAME), applier::get)
                    : Stores.inMemoryKeyValueStore(EventLogStore.STORE_NAME),
                Serdes.String(),
                Serdes.String())
            .withLoggingDisabled(),
        SOURCE_NAME,
        new StringDeserializer(),
        new StringDeserializer(),
        eventsTopic,
        PROCESSOR_NAME,
        () ->
            new EventLogProcessor(
                retentionPerTenant,
                maxAge,
                hub,
                clock,
                onSkipped,
                inputAgeMillis,
                documents,
                applier,
                onRecord));
    return topology;
  }
}
