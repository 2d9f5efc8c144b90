package io.changecast.router.internal.process;

import io.changecast.router.internal.parse.RawTopicFormats;
import io.changecast.router.internal.parse.Stage;
import io.changecast.router.internal.parse.Step;
import io.changecast.router.internal.tracing.RouterTracing;
import io.changecast.router.metrics.Reason;
import io.changecast.router.metrics.RouterMetrics;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * Reads one raw record into a {@link Step}: a control record (header {@value
 * io.changecast.contract.HeaderNames#CONTROL}), a parsed change event or a rejection. Counts
 * records in per source topic. Under direct sequencing the ingest topic shares this source: its
 * records are read as {@link IngestProcessor} reads them.
 */
public final class ParseProcessor implements FixedKeyProcessor<String, String, Step> {

  private final RouterMetrics metrics;
  private final int maxRecordBytes;
  private final RawTopicFormats formats;
  private final String ingestTopic;
  private final IngestProcessor ingest;
  private final TenantPartitions partitions;
  private final Tracer tracer = RouterTracing.tracer();
  private FixedKeyProcessorContext<String, Step> context;

  /**
   * @param formats the value format of each raw topic
   * @param ingestTopic the ingest topic when it shares this source, else empty
   * @param partitions the partitioning its ingested records must keep
   */
  public ParseProcessor(
      RouterMetrics metrics,
      int maxRecordBytes,
      RawTopicFormats formats,
      String ingestTopic,
      TenantPartitions partitions) {
    this.metrics = metrics;
    this.maxRecordBytes = maxRecordBytes;
    this.formats = formats;
    this.ingestTopic = ingestTopic;
    this.ingest = new IngestProcessor(metrics, maxRecordBytes);
    this.partitions = partitions;
  }

  @Override
  public void init(FixedKeyProcessorContext<String, Step> context) {
    this.context = context;
  }

  @Override
  public void process(FixedKeyRecord<String, String> record) {
    String topic = context.recordMetadata().map(RecordMetadata::topic).orElse("");
    metrics.in(topic);
    Span span =
        RouterTracing.start(tracer, RouterTracing.PARSE, SpanKind.CONSUMER, record.headers());
    Step step;
    try {
      step = read(topic, record);
    } finally {
      span.end();
    }
    context.forward(record.withValue(step));
  }

  private Step read(String topic, FixedKeyRecord<String, String> record) {
    if (!ingestTopic.isEmpty() && ingestTopic.equals(topic)) {
      Step step = ingest.read(record.key(), record.value());
      if (step instanceof Step.Resolved resolved) {
        int partition = context.recordMetadata().map(RecordMetadata::partition).orElse(0);
        return partitions
            .check(resolved.tenant(), record.key(), topic, partition)
            .<Step>map(
                why ->
                    new Step.Rejected(record.value(), Stage.INGEST, Reason.TENANT_PARTITION, why))
            .orElse(step);
      }
      return step;
    }
    Step tooLarge = Step.tooLarge(record.value(), maxRecordBytes);
    return tooLarge != null
        ? tooLarge
        : formats.parse(topic, record.headers(), record.key(), record.value());
  }
}
