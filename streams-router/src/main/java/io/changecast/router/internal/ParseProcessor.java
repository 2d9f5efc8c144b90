package io.changecast.router.internal;

import io.changecast.router.RouterMetrics;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * Reads one raw record into a {@link Step}: a control record (header {@value Control#HEADER}), a
 * parsed change event or a rejection. Counts records in per source topic.
 */
public final class ParseProcessor implements FixedKeyProcessor<String, String, Step> {

  private final RouterMetrics metrics;
  private final int maxRecordBytes;
  private final RawTopicFormats formats;
  private FixedKeyProcessorContext<String, Step> context;

  /**
   * @param formats the value format of each raw topic
   */
  public ParseProcessor(RouterMetrics metrics, int maxRecordBytes, RawTopicFormats formats) {
    this.metrics = metrics;
    this.maxRecordBytes = maxRecordBytes;
    this.formats = formats;
  }

  @Override
  public void init(FixedKeyProcessorContext<String, Step> context) {
    this.context = context;
  }

  @Override
  public void process(FixedKeyRecord<String, String> record) {
    String topic = context.recordMetadata().map(RecordMetadata::topic).orElse("");
    metrics.in(topic);
    Step tooLarge = Step.tooLarge(record.value(), maxRecordBytes);
    context.forward(
        record.withValue(
            tooLarge != null
                ? tooLarge
                : formats.parse(topic, record.headers(), record.key(), record.value())));
  }
}
