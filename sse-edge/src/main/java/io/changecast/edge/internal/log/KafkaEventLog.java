package io.changecast.edge.internal.log;

import io.changecast.edge.internal.documents.Documents;
import io.changecast.edge.internal.documents.KeyValues;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Consumer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * The {@link EventLog} of a running {@link EventLogTopology}: reads the global store through
 * interactive queries; the topology's processor feeds the same {@link EventHub} and {@link
 * SourceClock}.
 */
public final class KafkaEventLog implements EventLog {
  private final KafkaStreams streams;
  private final EventHub hub;
  private final SourceClock clock;
  private final Optional<Documents> documents;

  public KafkaEventLog(KafkaStreams streams, EventHub hub, SourceClock clock) {
    this(streams, hub, clock, Optional.empty());
  }

  /** With the document state of the same store ({@code documents} reads it via {@link #state}). */
  public KafkaEventLog(
      KafkaStreams streams, EventHub hub, SourceClock clock, Optional<Documents> documents) {
    this.streams = streams;
    this.hub = hub;
    this.clock = clock;
    this.documents = documents;
  }

  @Override
  public Optional<Documents> documents() {
    return documents;
  }

  /**
   * The store, read-only, for the document state's reads.
   *
   * @throws EventLogUnavailableException when it cannot be queried now
   */
  public KeyValues state() {
    try {
      return KeyValues.of(store());
    } catch (InvalidStateStoreException e) {
      throw new EventLogUnavailableException("event log is not queryable: " + e.getMessage(), e);
    }
  }

  @Override
  public List<Event> readAfter(String tenant, long afterId) {
    try {
      return EventLogStore.readAfter(store(), tenant, afterId);
    } catch (InvalidStateStoreException e) {
      throw new EventLogUnavailableException("event log is not queryable: " + e.getMessage(), e);
    }
  }

  @Override
  public OptionalLong oldestId(String tenant) {
    try {
      return EventLogStore.firstId(store(), tenant, false);
    } catch (InvalidStateStoreException e) {
      throw new EventLogUnavailableException("event log is not queryable: " + e.getMessage(), e);
    }
  }

  @Override
  public OptionalLong latestId(String tenant) {
    try {
      return EventLogStore.firstId(store(), tenant, true);
    } catch (InvalidStateStoreException e) {
      throw new EventLogUnavailableException("event log is not queryable: " + e.getMessage(), e);
    }
  }

  @Override
  public Subscription subscribe(String tenant, Consumer<Event> listener) {
    return hub.subscribe(tenant, listener);
  }

  @Override
  public Optional<ClusterTime> latestClusterTime() {
    return clock.latest();
  }

  /** Ready when Kafka Streams is RUNNING (the global store is restored) and the store answers. */
  public Readiness readiness() {
    KafkaStreams.State state = streams.state();
    if (state != KafkaStreams.State.RUNNING) {
      return Readiness.notReady("Kafka Streams is " + state);
    }
    try {
      store().approximateNumEntries();
      return Readiness.ready();
    } catch (InvalidStateStoreException e) {
      return Readiness.notReady("event-log store is not queryable: " + e.getMessage());
    }
  }

  private ReadOnlyKeyValueStore<String, String> store() {
    return streams.store(
        StoreQueryParameters.fromNameAndType(
            EventLogStore.STORE_NAME, QueryableStoreTypes.<String, String>keyValueStore()));
  }
}
