package io.changecast.router.internal.process;

import io.changecast.router.config.SequencingException;
import io.changecast.router.event.Envelope;
import io.changecast.router.internal.parse.Pending;
import io.changecast.router.internal.tracing.RouterTracing;
import io.changecast.router.metrics.RouterMetrics;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import java.time.Clock;
import java.time.Duration;
import org.apache.kafka.streams.processor.PunctuationType;
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
 *
 * <p>Live commits: while the router is caught up (it routed a record whose Kafka timestamp is at
 * most {@value #CAUGHT_UP_MS} ms old), it requests a commit once {@code liveCommitIntervalMs} have
 * passed since its previous requested commit ended (from a record, or from a wall-clock tick when
 * no record follows), so an event waits for about that gap and the commit rather than for Kafka
 * Streams' whole {@code commit.interval.ms}. Behind (a backlog: older records), it requests none,
 * and commits follow {@code commit.interval.ms}: fewer, larger transactions, more records routed
 * per second.
 */
public final class SequenceProcessor implements Processor<String, Pending, String, Envelope> {

  private static final Logger LOG = LoggerFactory.getLogger(SequenceProcessor.class);

  /** A routed record at most this old (Kafka timestamp against the router's clock) is live. */
  static final long CAUGHT_UP_MS = 250;

  private final String storeName;
  private final Clock clock;
  private final RouterMetrics metrics;
  private final int directTasks;
  private final long liveCommitIntervalMs;
  private final Tracer tracer = RouterTracing.tracer();
  private ProcessorContext<String, Envelope> context;
  private KeyValueStore<String, Long> sequences;
  // a live record was routed and no commit has been requested for it yet
  private boolean liveSinceLastRequest;
  // a commit was requested; Kafka Streams runs it before this processor processes again
  private boolean requested;
  private long requestedCommitDoneAt = Long.MIN_VALUE / 2;

  /**
   * @param directTasks under direct sequencing, {@code raw.partitions}: the tasks that may sequence
   *     (partitions 0 to N-1); a task beyond them means an input topic with more partitions, whose
   *     tenants would get ids from two stores, so it fails with {@link SequencingException}
   *     instead. 0 under by-tenant sequencing (no limit)
   * @param liveCommitIntervalMs how often to request a commit while caught up; 0: never
   */
  public SequenceProcessor(
      String storeName,
      Clock clock,
      RouterMetrics metrics,
      int directTasks,
      long liveCommitIntervalMs) {
    this.storeName = storeName;
    this.clock = clock;
    this.metrics = metrics;
    this.directTasks = directTasks;
    this.liveCommitIntervalMs = liveCommitIntervalMs;
  }

  @Override
  public void init(ProcessorContext<String, Envelope> context) {
    if (directTasks > 0 && context.taskId().partition() >= directTasks) {
      throw new SequencingException(
          "Direct sequencing assigns each tenant's ids in one of raw.partitions="
              + directTasks
              + " tasks, but task "
              + context.taskId()
              + " exists: a raw topic or the ingest topic has more than "
              + directTasks
              + " partition(s). Give each of them raw.partitions partitions, or set the router's"
              + " 'sequencing' to by-tenant");
    }
    this.context = context;
    this.sequences = context.getStateStore(storeName);
    if (liveCommitIntervalMs > 0) {
      context.schedule(
          Duration.ofMillis(liveCommitIntervalMs),
          PunctuationType.WALL_CLOCK_TIME,
          tick -> requestCommitIfDue(clock.millis()));
    }
  }

  /**
   * Requests a commit if a live record waits for one and the previous requested commit ended at
   * least the live interval ago: requested commits never run back to back, which would leave the
   * stream thread nothing but committing (Kafka Streams restarts its own interval when a commit
   * ends, for the same reason).
   */
  private void requestCommitIfDue(long now) {
    if (liveSinceLastRequest && now - requestedCommitDoneAt >= liveCommitIntervalMs) {
      liveSinceLastRequest = false;
      requested = true;
      context.commit();
    }
  }

  @Override
  public void process(Record<String, Pending> record) {
    String tenant = record.key();
    Pending pending = record.value();
    if (tenant == null || pending == null) { // impossible by construction; never stall on it
      LOG.error("Dropping a by-tenant record without tenant or event (key {})", tenant);
      return;
    }
    long now = clock.millis();
    if (requested) {
      requested = false;
      requestedCommitDoneAt = now;
    }
    Span span =
        RouterTracing.start(tracer, RouterTracing.SEQUENCE, SpanKind.INTERNAL, record.headers());
    Long last = sequences.get(tenant);
    long next = last == null ? 1 : last + 1;
    sequences.put(tenant, next);
    if (span.isRecording()) {
      span.setAttribute("changecast.tenant", tenant);
      span.setAttribute("changecast.id", next);
    }
    Envelope envelope;
    if (pending instanceof Pending.Change change) {
      envelope = Envelope.of(next, tenant, change.type(), change.event(), now);
    } else if (pending instanceof Pending.Reset reset) {
      envelope =
          Envelope.reset(
              next, tenant, reset.reason(), reset.namespaces(), reset.clusterTime(), now);
      metrics.reset(reset.reason());
    } else {
      Pending.Publish publish = (Pending.Publish) pending;
      envelope = Envelope.publish(next, tenant, publish.type(), publish.data(), now);
    }
    String traceparent = RouterTracing.traceparent(record.headers());
    if (traceparent != null) {
      envelope = envelope.withTraceparent(traceparent);
    }
    span.end();
    context.forward(record.withValue(envelope));
    if (liveCommitIntervalMs > 0 && now - record.timestamp() <= CAUGHT_UP_MS) {
      liveSinceLastRequest = true;
      requestCommitIfDue(now);
    }
    metrics.routed(envelope.operation());
    metrics.latency(envelope);
  }
}
