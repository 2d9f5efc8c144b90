package io.changecast.edge.internal;

import java.time.Duration;
import java.util.Optional;
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
   * into the in-memory global store {@value EventLogStore#STORE_NAME}. Global, so every edge
   * instance holds every tenant; in memory with logging disabled, so the topic itself is the
   * changelog and a restart re-reads it.
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
        eventsTopic, retentionPerTenant, Optional.empty(), hub, clock, onSkipped, age -> {});
  }

  /**
   * As {@link #build(String, int, EventHub, SourceClock, Runnable)}, with retention by age too: an
   * event whose {@code routedAt} is more than {@code maxAge} older than the timestamp of a newer
   * record of the same tenant is dropped when that record arrives; and {@code inputAgeMillis} is
   * told, for each live event handed to the subscribers, how many milliseconds after its {@code
   * routedAt} that was (the router's clock against this one).
   */
  public static Topology build(
      String eventsTopic,
      int retentionPerTenant,
      Optional<Duration> maxAge,
      EventHub hub,
      SourceClock clock,
      Runnable onSkipped,
      LongConsumer inputAgeMillis) {
    Topology topology = new Topology();
    topology.addGlobalStore(
        Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(EventLogStore.STORE_NAME),
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
                retentionPerTenant, maxAge, hub, clock, onSkipped, inputAgeMillis));
    return topology;
  }
}
