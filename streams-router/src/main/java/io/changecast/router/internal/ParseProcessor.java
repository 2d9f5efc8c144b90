package io.changecast.router.internal;

import io.changecast.router.RouterMetrics;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * Reads one raw record into a {@link Step}: a control record (header {@value Control#HEADER}), a
 * parsed change event or a rejection. Counts records in per source topic. Under direct sequencing
 * the ingest topic shares this source: its records are read as {@link IngestProcessor} reads them.
 */
public final class ParseProcessor implements FixedKeyProcessor<String, String, Step> {

  private final RouterMetrics metrics;
  private final int maxRecordBytes;
  private final RawTopicFormats formats;
  private final String ingestTopic;
  private final IngestProcessor ingest;
  private FixedKeyProcessorContext<String, Step> context;

  /**
   * @param formats the value format of each raw topic
   * @param ingestTopic the ingest topic when it shares this source, else empty
   */
  public ParseProcessor(
      RouterMetrics metrics, int maxRecordBytes, RawTopicFormats formats, String ingestTopic) {
    this.metrics = metrics;
    this.maxRecordBytes = maxRecordBytes;
    this.formats = formats;
    this.ingestTopic = ingestTopic;
    this.ingest = new IngestProcessor(metrics, maxRecordBytes);
  }

  @Override
  public void init(FixedKeyProcessorContext<String, Step> context) {
    this.context = context;
  }

  @Override
  public void process(FixedKeyRecord<String, String> record) {
    String topic = context.recordMetadata().map(RecordMetadata::topic).orElse("");
    metrics.in(topic);
    if (!ingestTopic.isEmpty() && ingestTopic.equals(topic)) {
      context.forward(record.withValue(ingest.read(record.key(), record.value())));
      return;
    }
    Step tooLarge = Step.tooLarge(record.value(), maxRecordBytes);
    context.forward(
        record.withValue(
            tooLarge != null
                ? tooLarge
                : formats.parse(topic, record.headers(), record.key(), record.value())));
  }
}
