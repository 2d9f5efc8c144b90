package io.changecast.router.internal.process;

import io.changecast.router.internal.parse.Step;
import io.changecast.router.metrics.RouterMetrics;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a {@link Step.Rejected} back into its original value with error headers naming the source
 * record; logs it (WARN) and counts it. The one place every rejection passes through.
 */
public final class DeadLetterProcessor implements FixedKeyProcessor<String, Step, String> {

  private static final Logger LOG = LoggerFactory.getLogger(DeadLetterProcessor.class);

  private final RouterMetrics metrics;
  private final String dlqTopic;
  private FixedKeyProcessorContext<String, String> context;

  public DeadLetterProcessor(RouterMetrics metrics, String dlqTopic) {
    this.metrics = metrics;
    this.dlqTopic = dlqTopic;
  }

  @Override
  public void init(FixedKeyProcessorContext<String, String> context) {
    this.context = context;
  }

  @Override
  public void process(FixedKeyRecord<String, Step> record) {
    Step.Rejected rejected = (Step.Rejected) record.value();
    String topic = context.recordMetadata().map(RecordMetadata::topic).orElse("");
    int partition = context.recordMetadata().map(RecordMetadata::partition).orElse(-1);
    long offset = context.recordMetadata().map(RecordMetadata::offset).orElse(-1L);
    LOG.warn(
        "Record {}-{}@{} sent to the dead-letter topic: {} at {}: {}",
        topic,
        partition,
        offset,
        rejected.reason().code(),
        rejected.stage().code(),
        rejected.detail());
    metrics.invalid(rejected.reason().code());
    metrics.out(dlqTopic);
    context.forward(
        record
            .withValue(rejected.raw())
            .withHeaders(
                DeadLetters.headers(
                    record.headers(),
                    topic,
                    partition,
                    offset,
                    rejected.stage(),
                    rejected.reason(),
                    rejected.detail())));
  }
}
