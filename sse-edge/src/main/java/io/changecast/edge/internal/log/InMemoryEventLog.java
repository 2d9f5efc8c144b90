package io.changecast.edge.internal.log;

import io.changecast.edge.internal.documents.DocumentState;
import io.changecast.edge.internal.documents.Documents;
import io.changecast.edge.internal.documents.KeyValues;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Consumer;
import org.apache.kafka.streams.KeyValue;

/**
 * An {@link EventLog} held in memory with retention by count per tenant, fed by {@link #append}.
 * For tests and embedding; the Kafka-backed log is {@link KafkaEventLog}.
 */
public final class InMemoryEventLog implements EventLog {
  private final int retentionPerTenant;
  private final Map<String, NavigableMap<Long, Event>> byTenant = new ConcurrentHashMap<>();
  private final EventHub hub = new EventHub();
  private final SourceClock clock = new SourceClock();
  private final KeyValues.Mutable state = KeyValues.inMemory();
  private final DocumentState.Tenants tenants = new DocumentState.Tenants();
  private final Optional<Documents> documents;

  public InMemoryEventLog(int retentionPerTenant) {
    this(retentionPerTenant, false);
  }

  /** With {@code documents}, the log keeps the document state too, as the Kafka-backed one does. */
  public InMemoryEventLog(int retentionPerTenant, boolean documents) {
    this.documents = documents ? Optional.of(new Documents(() -> state)) : Optional.empty();
    if (retentionPerTenant < 1) {
      throw new IllegalArgumentException("retention must be at least 1: " + retentionPerTenant);
    }
    this.retentionPerTenant = retentionPerTenant;
  }

  /**
   * Stores the event, drops the tenant's oldest beyond the retention, then notifies subscribers.
   */
  public synchronized void append(Event event) {
    NavigableMap<Long, Event> events =
        byTenant.computeIfAbsent(event.tenant(), tenant -> new ConcurrentSkipListMap<>());
    events.put(event.id(), event);
    long evicted = -1;
    while (events.size() > retentionPerTenant) {
      evicted = events.pollFirstEntry().getKey();
    }
    if (documents.isPresent()) {
      EnvelopeParser.Result parsed = EnvelopeParser.parse(event.tenant(), event.json());
      if (parsed instanceof EnvelopeParser.Parsed p) {
        List<KeyValue<String, String>> batch = new ArrayList<>();
        DocumentState.Applied applied =
            DocumentState.apply(state, tenants, event.tenant(), event.id(), event.json(), batch);
        state.write(batch);
        documents.get().adjust(applied.documentsDelta());
      }
      if (evicted >= 0) {
        DocumentState.evictThrough(state, event.tenant(), evicted);
      }
    }
    hub.publish(event);
  }

  /** Records a source cluster time, as the Kafka-backed log does from each envelope. */
  public void observe(ClusterTime clusterTime) {
    clock.observe(clusterTime);
  }

  @Override
  public List<Event> readAfter(String tenant, long afterId) {
    NavigableMap<Long, Event> events = byTenant.get(tenant);
    return events == null ? List.of() : List.copyOf(events.tailMap(afterId, false).values());
  }

  @Override
  public OptionalLong oldestId(String tenant) {
    NavigableMap<Long, Event> events = byTenant.get(tenant);
    Map.Entry<Long, Event> first = events == null ? null : events.firstEntry();
    return first == null ? OptionalLong.empty() : OptionalLong.of(first.getKey());
  }

  @Override
  public OptionalLong latestId(String tenant) {
    NavigableMap<Long, Event> events = byTenant.get(tenant);
    Map.Entry<Long, Event> last = events == null ? null : events.lastEntry();
    return last == null ? OptionalLong.empty() : OptionalLong.of(last.getKey());
  }

  @Override
  public Subscription subscribe(String tenant, Consumer<Event> listener) {
    return hub.subscribe(tenant, listener);
  }

  @Override
  public Optional<Documents> documents() {
    return documents;
  }

  @Override
  public Optional<ClusterTime> latestClusterTime() {
    return clock.latest();
  }

  /** Live subscriptions, to check that closed streams leave nothing behind. */
  public int subscriberCount() {
    return hub.subscriberCount();
  }
}
