package io.changecast.edge.internal;

import io.changecast.edge.internal.documents.DocumentApplier;
import io.changecast.edge.internal.documents.Documents;
import io.changecast.edge.internal.documents.KeyValues;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
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
 * retention and the clock hold from the first record on. With the document state on, it queues each
 * stored event for the {@link DocumentApplier}, which applies it to the state in the same store on
 * a thread of its own, and keeps each event until it is applied.
 */
final class EventLogProcessor implements Processor<String, String, Void, Void> {
  private static final Logger LOG = LoggerFactory.getLogger(EventLogProcessor.class);

  /** Evictions of at most this many ids write tombstones by key; larger ones read a range. */
  private static final int EVICT_BY_KEY = 64;

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
  private final AtomicReference<DocumentApplier> applierRef;
  private DocumentApplier applier;

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
      AtomicReference<DocumentApplier> applier,
      Runnable onRecord) {
    this.applierRef = applier;
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
    if (documents.isPresent()) {
      DocumentApplier previous = applierRef.get();
      if (previous != null) {
        previous.close();
      }
      applier = new DocumentApplier(KeyValues.of(store), documents.get());
      applierRef.set(applier);
    }
  }

  /**
   * With the document state: the event and the tombstones of the events that leave the retention in
   * one write, then the event queued for the applier. Events leave the log only once applied (the
   * tenant's applied id caps the eviction), so the state never misses one and a snapshot's id is
   * always followed by the retained events after it.
   */
  private void storeAndSubmit(EnvelopeParser.Parsed parsed, long timestamp) {
    Event event = parsed.event();
    String tenant = event.tenant();
    long from = evictedThrough.getOrDefault(tenant, -1L) + 1;
    long cap = applier.applied(tenant);
    long through = Math.min(event.id() - retentionPerTenant, cap);
    List<KeyValue<String, String>> batch = new ArrayList<>(2);
    batch.add(KeyValue.pair(EventLogStore.key(tenant, event.id()), event.json()));
    long evicted = -1;
    if (through >= from && through - from < EVICT_BY_KEY) {
      // ids are consecutive per tenant: tombstones by key, no range over earlier tombstones
      for (long id = from; id <= through; id++) {
        batch.add(KeyValue.pair(EventLogStore.key(tenant, id), null));
      }
      evicted = through;
      store.putAll(batch);
    } else {
      store.putAll(batch);
      if (through >= from) {
        EventLogStore.evictRange(store, tenant, from, through);
        evicted = through;
      }
    }
    if (maxAge.isPresent()) {
      // The record's timestamp, not the wall clock: a restore evicts exactly as live processing.
      evicted =
          Math.max(
              evicted,
              EventLogStore.evictOlderThan(
                  store, event, timestamp - maxAge.get().toMillis(), from, cap));
    }
    if (evicted >= from) {
      evictedThrough.put(tenant, evicted);
    }
    applier.submit(tenant, event.id(), parsed.envelope(), evictedThrough.getOrDefault(tenant, -1L));
  }

  @Override
  public void process(Record<String, String> record) {
    onRecord.run();
    EnvelopeParser.Result result = EnvelopeParser.parse(record.key(), record.value());
    if (result instanceof EnvelopeParser.Parsed parsed) {
      Event event = parsed.event();
      String tenant = event.tenant();
      if (applier != null) {
        storeAndSubmit(parsed, record.timestamp());
      } else {
        store.put(EventLogStore.key(tenant, event.id()), event.json());
        long from = evictedThrough.getOrDefault(tenant, -1L) + 1;
        long evicted = EventLogStore.evictBeyond(store, event, retentionPerTenant, from);
        if (maxAge.isPresent()) {
          // The record's timestamp, not the wall clock: a restore evicts exactly as live
          // processing.
          evicted =
              Math.max(
                  evicted,
                  EventLogStore.evictOlderThan(
                      store,
                      event,
                      record.timestamp() - maxAge.get().toMillis(),
                      from,
                      Long.MAX_VALUE));
        }
        if (evicted >= from) {
          evictedThrough.put(tenant, evicted);
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
