package io.changecast.router.internal;

import io.changecast.router.Envelope;
import io.changecast.router.RouterMetrics;
import io.changecast.router.SequencingException;
import java.time.Clock;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Assigns each tenant's events the ids 1, 2, 3… in input order and wraps them in {@link Envelope}s.
 * Input is keyed by tenant: after the repartition by tenant, or under direct sequencing in the one
 * task that reads every raw topic. The last id per tenant lives in a changelogged store that
 * commits in the same transaction as the output (exactly-once), so a crash neither repeats nor
 * skips an id. Keeps the key, timestamp and headers of its input.
 */
public final class SequenceProcessor implements Processor<String, Pending, String, Envelope> {

  private static final Logger LOG = LoggerFactory.getLogger(SequenceProcessor.class);

  private final String storeName;
  private final Clock clock;
  private final RouterMetrics metrics;
  private final boolean singleTask;
  private ProcessorContext<String, Envelope> context;
  private KeyValueStore<String, Long> sequences;

  /**
   * @param singleTask whether every tenant must be sequenced in task partition 0 (direct
   *     sequencing): a second task means an input topic with several partitions, whose tenants
   *     would get ids from two stores, so it fails with {@link SequencingException} instead
   */
  public SequenceProcessor(
      String storeName, Clock clock, RouterMetrics metrics, boolean singleTask) {
    this.storeName = storeName;
    this.clock = clock;
    this.metrics = metrics;
    this.singleTask = singleTask;
  }

  @Override
  public void init(ProcessorContext<String, Envelope> context) {
    if (singleTask && context.taskId().partition() != 0) {
      throw new SequencingException(
          "Direct sequencing assigns every tenant's ids in one task, but task "
              + context.taskId()
              + " exists: a raw topic or the ingest topic has more than one partition. Give each"
              + " of them one partition, or set the router's 'sequencing' to by-tenant");
    }
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
