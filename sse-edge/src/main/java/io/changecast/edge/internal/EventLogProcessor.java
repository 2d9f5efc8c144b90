package io.changecast.edge.internal;

import io.changecast.edge.internal.documents.DocumentState;
import io.changecast.edge.internal.documents.Documents;
import io.changecast.edge.internal.documents.KeyValues;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongConsumer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Global-store processor of the events topic: stores each event, enforces the per-tenant retention,
 * records the latest cluster time, then notifies live subscribers, and reports how old each event
 * is when it is handed to them (now minus its {@code routedAt}). It also runs while the store is
 * restored at startup (Kafka Streams reprocesses global stores with a custom processor), so
 * retention and the clock hold from the first record on. With the document state on, it applies
 * each event to it in the same store (see {@link DocumentState}) before the subscribers hear of it,
 * and drops the undo entries of the events that leave the retention.
 */
final class EventLogProcessor implements Processor<String, String, Void, Void> {
  private static final Logger LOG = LoggerFactory.getLogger(EventLogProcessor.class);

  private final int retentionPerTenant;
  private final Optional<Duration> maxAge;
  private final EventHub hub;
  private final SourceClock clock;
  private final Runnable onSkipped;
  private final LongConsumer inputAgeMillis;
  private final Optional<Documents> documents;
  private final Runnable onRecord;
  private final HandOver handOver = new HandOver();
  private KeyValueStore<String, String> store;
  private KeyValues.Mutable kv;
  private DocumentState.Tenants tenants;

  /** Per tenant, the newest id this processor evicted: every id up to it is gone. */
  private final Map<String, Long> evictedThrough = new HashMap<>();

  EventLogProcessor(
      int retentionPerTenant,
      Optional<Duration> maxAge,
      EventHub hub,
      SourceClock clock,
      Runnable onSkipped,
      LongConsumer inputAgeMillis,
      Optional<Documents> documents,
      Runnable onRecord) {
    this.inputAgeMillis = inputAgeMillis;
    this.documents = documents;
    this.onRecord = onRecord;
    this.retentionPerTenant = retentionPerTenant;
    this.maxAge = maxAge;
    this.hub = hub;
    this.clock = clock;
    this.onSkipped = onSkipped;
  }

  @Override
  public void init(ProcessorContext<Void, Void> context) {
    store = context.getStateStore(EventLogStore.STORE_NAME);
    kv = KeyValues.of(store);
    tenants = new DocumentState.Tenants();
    documents.ifPresent(d -> d.held(DocumentState.total(kv)));
  }

  @Override
  public void process(Record<String, String> record) {
    onRecord.run();
    EnvelopeParser.Result result = EnvelopeParser.parse(record.key(), record.value());
    if (result instanceof EnvelopeParser.Parsed parsed) {
      Event event = parsed.event();
      String tenant = event.tenant();
      long evicted;
      if (documents.isPresent()) {
        // The event, its undo entry, its documents and the tenant's applied id: one atomic write.
        List<KeyValue<String, String>> batch = new ArrayList<>(4);
        batch.add(KeyValue.pair(EventLogStore.key(tenant, event.id()), event.json()));
        DocumentState.Applied applied =
            DocumentState.apply(kv, tenants, tenant, event.id(), parsed.envelope(), batch);
        kv.write(batch);
        documents.get().adjust(applied.documentsDelta());
      } else {
        store.put(EventLogStore.key(tenant, event.id()), event.json());
      }
      long from = evictedThrough.getOrDefault(tenant, -1L) + 1;
      evicted = EventLogStore.evictBeyond(store, event, retentionPerTenant, from);
      if (maxAge.isPresent()) {
        // The record's timestamp, not the wall clock: a restore evicts exactly as live processing.
        evicted =
            Math.max(
                evicted,
                EventLogStore.evictOlderThan(
                    store, event, record.timestamp() - maxAge.get().toMillis(), from));
      }
      if (evicted >= from) {
        evictedThrough.put(tenant, evicted);
        if (documents.isPresent()) {
          DocumentState.evictThrough(kv, tenant, evicted);
        }
      }
      parsed.clusterTime().ifPresent(clock::observe);
      handOver.run(record.headers(), parsed.event(), () -> hub.publish(parsed.event()));
      if (parsed.routedAt().isPresent()) {
        inputAgeMillis.accept(System.currentTimeMillis() - parsed.routedAt().getAsLong());
      }
    } else if (result instanceof EnvelopeParser.Invalid invalid) {
      LOG.warn("Skipping record with key '{}': {}", record.key(), invalid.reason());
      onSkipped.run();
    }
  }
}
