package io.changecast.router.internal;

import io.changecast.router.Envelope;
import io.changecast.router.RouterMetrics;
import java.time.Clock;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Assigns each tenant's events the ids 1, 2, 3… in input order and wraps them in {@link Envelope}s.
 * Input is keyed by tenant, after the repartition by tenant; the last id per tenant lives in a
 * changelogged store that commits in the same transaction as the output (exactly-once), so a crash
 * neither repeats nor skips an id. Keeps the key, timestamp and headers of its input.
 */
public final class SequenceProcessor implements Processor<String, Pending, String, Envelope> {

  private static final Logger LOG = LoggerFactory.getLogger(SequenceProcessor.class);

  private final String storeName;
  private final Clock clock;
  private final RouterMetrics metrics;
  private ProcessorContext<String, Envelope> context;
  private KeyValueStore<String, Long> sequences;

  public SequenceProcessor(String storeName, Clock clock, RouterMetrics metrics) {
    this.storeName = storeName;
    this.clock = clock;
    this.metrics = metrics;
  }

  @Override
  public void init(ProcessorContext<String, Envelope> context) {
    this.context = context;
    this.sequences = context.getStateStore(storeName);
  }

  @Override
  public void process(Record<String, Pending> record) {
    String tenant = record.key();
    Pending pending = record.value();
    if (tenant == null || pending == null) { // impossible by construction; never stall on it
      LOG.error("Dropping a by-tenant record without tenant or event (key {})", tenant);
      return;
    }
    Long last = sequences.get(tenant);
    long next = last == null ? 1 : last + 1;
    sequences.put(tenant, next);
    long now = clock.millis();
    Envelope envelope;
    if (pending instanceof Pending.Change change) {
      envelope = Envelope.of(next, tenant, change.type(), change.event(), now);
    } else if (pending instanceof Pending.Reset reset) {
      envelope =
          Envelope.reset(
              next, tenant, reset.reason(), reset.namespaces(), reset.clusterTime(), now);
    } else {
      Pending.Publish publish = (Pending.Publish) pending;
      envelope = Envelope.publish(next, tenant, publish.type(), publish.data(), now);
    }
    context.forward(record.withValue(envelope));
    metrics.routed(envelope.operation());
    metrics.latency(envelope);
  }
}
