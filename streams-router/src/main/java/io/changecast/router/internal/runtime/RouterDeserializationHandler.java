package io.changecast.router.internal.runtime;

import io.changecast.router.internal.parse.Stage;
import io.changecast.router.internal.process.DeadLetters;
import io.changecast.router.metrics.Reason;
import io.changecast.router.metrics.RouterMetrics;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Last safety net for records no serde can read (raw values are strings, so in practice only a
 * corrupt internal repartition record): logs, counts, sends the bytes to the dead-letter topic with
 * the usual headers and continues.
 */
public final class RouterDeserializationHandler implements DeserializationExceptionHandler {

  /** Config entry carrying the dead-letter topic name. */
  public static final String DLQ_TOPIC_CONFIG = "changecast.router.dlq.topic";

  /** Config entry carrying the {@link RouterMetrics} instance (optional). */
  public static final String METRICS_CONFIG = "changecast.router.metrics";

  private static final Logger LOG = LoggerFactory.getLogger(RouterDeserializationHandler.class);

  private String dlqTopic;
  private RouterMetrics metrics;

  @Override
  public void configure(Map<String, ?> configs) {
    Object topic = configs.get(DLQ_TOPIC_CONFIG);
    dlqTopic = topic == null ? null : topic.toString();
    metrics = configs.get(METRICS_CONFIG) instanceof RouterMetrics m ? m : null;
  }

  @Override
  public Response handleError(
      ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record, Exception exception) {
    LOG.warn(
        "Record {}-{}@{} cannot be deserialised; sent to the dead-letter topic and skipped",
        record.topic(),
        record.partition(),
        record.offset(),
        exception);
    if (metrics != null) {
      metrics.invalid(Reason.DESERIALIZATION_FAILED.code());
    }
    if (dlqTopic == null) {
      return Response.resume();
    }
    var headers =
        DeadLetters.headers(
            record.headers(),
            record.topic(),
            record.partition(),
            record.offset(),
            Stage.DESERIALIZE,
            Reason.DESERIALIZATION_FAILED,
            String.valueOf(exception.getMessage()));
    return Response.resume(
        List.of(new ProducerRecord<>(dlqTopic, null, null, record.key(), record.value(), headers)));
  }
}
