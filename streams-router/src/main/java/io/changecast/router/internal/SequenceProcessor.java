package io.changecast.router.internal;

import io.changecast.router.ChangeEvent;
import io.changecast.router.Envelope;
import io.changecast.router.RouterMetrics;
import java.time.Clock;
import java.util.function.Function;
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
public final class SequenceProcessor implements Processor<String, ChangeEvent, String, Envelope> {

  private static final Logger LOG = LoggerFactory.getLogger(SequenceProcessor.class);

  private final String storeName;
  private final Function<ChangeEvent, String> typeNamer;
  private final Clock clock;
  private final RouterMetrics metrics;
  private ProcessorContext<String, Envelope> context;
  private KeyValueStore<String, Long> sequences;

  public SequenceProcessor(
      String storeName,
      Function<ChangeEvent, String> typeNamer,
      Clock clock,
      RouterMetrics metrics) {
    this.storeName = storeName;
    this.typeNamer = typeNamer;
    this.clock = clock;
    this.metrics = metrics;
  }

  @Override
  public void init(ProcessorContext<String, Envelope> context) {
    this.context = context;
    this.sequences = context.getStateStore(storeName);
  }

  @Override
  public void process(Record<String, ChangeEvent> record) {
    String tenant = record.key();
    ChangeEvent event = record.value();
    if (tenant == null || event == null) { // impossible by construction; never stall on it
      LOG.error("Dropping a by-tenant record without tenant or event (key {})", tenant);
      return;
    }
    Long last = sequences.get(tenant);
    long next = last == null ? 1 : last + 1;
    sequences.put(tenant, next);
    context.forward(
        record.withValue(Envelope.of(next, tenant, typeNamer.apply(event), event, clock.millis())));
    metrics.routed(event.operation().operationType());
  }
}
