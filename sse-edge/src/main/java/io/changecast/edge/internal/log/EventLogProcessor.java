package io.changecast.edge.internal.log;

import io.changecast.edge.internal.documents.DocumentApplier;
import io.changecast.edge.internal.documents.Documents;
import io.changecast.edge.internal.documents.KeyValues;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongConsumer;
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

  /**
   * Per tenant, the newest id this processor evicted: every id up to it is gone. Written by the
   * global thread, or with the document state by the applier's thread alone.
   */
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
      evictedThrough.clear(); // the applier's from now on (see evict)
      applier = new DocumentApplier(KeyValues.of(store), documents.get(), this::evict);
      applierRef.set(applier);
    }
  }

  /**
   * With the document state: the event is stored, then queued for the applier, which drops what
   * leaves the retention once it has applied the tenant's newer events ({@link #evict}): the state
   * never misses an event, and a snapshot's id is always followed by the retained events after it.
   */
  private void storeAndSubmit(EnvelopeParser.Parsed parsed, long timestamp) {
    Event event = parsed.event();
    store.put(EventLogStore.key(event.tenant(), event.id()), event.json());
    applier.submit(event.tenant(), event.id(), event.json(), timestamp);
  }

  /**
   * The retention by count and age once the tenant's events up to {@code newestId} (whose record
   * has {@code timestamp}) are stored, or with the document state applied (then on the applier's
   * thread: the global thread only adds events, so the two never evict the same keys); returns the
   * newest id of the tenant no longer retained, -1 when none.
   */
  private long evict(String tenant, long newestId, long timestamp) {
    long from = evictedThrough.getOrDefault(tenant, -1L) + 1;
    Event newest = new Event(tenant, newestId, "");
    long evicted = EventLogStore.evictBeyond(store, newest, retentionPerTenant, from);
    if (maxAge.isPresent()) {
      evicted =
          Math.max(
              evicted,
              EventLogStore.evictOlderThan(
                  store, newest, timestamp - maxAge.get().toMillis(), from));
    }
    if (evicted >= from) {
      evictedThrough.put(tenant, evicted);
    }
    return evictedThrough.getOrDefault(tenant, -1L);
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
        // The record's timestamp, not the wall clock: a restore evicts exactly as live processing.
        evict(tenant, event.id(), record.timestamp());
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
