package io.changecast.edge.internal;

import java.time.Duration;
import java.util.Optional;
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
 * retention and the clock hold from the first record on.
 */
final class EventLogProcessor implements Processor<String, String, Void, Void> {
  private static final Logger LOG = LoggerFactory.getLogger(EventLogProcessor.class);

  private final int retentionPerTenant;
  private final Optional<Duration> maxAge;
  private final EventHub hub;
  private final SourceClock clock;
  private final Runnable onSkipped;
  private final LongConsumer inputAgeMillis;
  private final HandOver handOver = new HandOver();
  private KeyValueStore<String, String> store;

  EventLogProcessor(
      int retentionPerTenant,
      Optional<Duration> maxAge,
      EventHub hub,
      SourceClock clock,
      Runnable onSkipped,
      LongConsumer inputAgeMillis) {
    this.inputAgeMillis = inputAgeMillis;
    this.retentionPerTenant = retentionPerTenant;
    this.maxAge = maxAge;
    this.hub = hub;
    this.clock = clock;
    this.onSkipped = onSkipped;
  }

  @Override
  public void init(ProcessorContext<Void, Void> context) {
    store = context.getStateStore(EventLogStore.STORE_NAME);
  }

  @Override
  public void process(Record<String, String> record) {
    EnvelopeParser.Result result = EnvelopeParser.parse(record.key(), record.value());
    if (result instanceof EnvelopeParser.Parsed parsed) {
      EventLogStore.append(store, parsed.event(), retentionPerTenant);
      if (maxAge.isPresent()) {
        // The record's timestamp, not the wall clock: a restore evicts exactly as live processing.
        EventLogStore.evictOlderThan(
            store, parsed.event(), record.timestamp() - maxAge.get().toMillis());
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
