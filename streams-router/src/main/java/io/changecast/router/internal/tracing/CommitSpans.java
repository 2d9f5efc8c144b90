package io.changecast.router.internal.tracing;

import io.changecast.tracing.Tracing;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.metrics.KafkaMetric;

/**
 * A Kafka Streams producer that opens a {@value RouterTracing#COMMIT} span for each traced record
 * it sends to one of {@code topics} and ends it when the record is committed: when its transaction
 * commits (exactly-once; ended with an error status when it aborts), or, without transactions, at
 * the flush of Kafka Streams' commit. Everything else is the wrapped producer's.
 */
final class CommitSpans implements Producer<byte[], byte[]> {

  private final Producer<byte[], byte[]> producer;
  private final Tracer tracer;
  private final Set<String> topics;
  private final boolean transactional;
  private final List<Span> open = new ArrayList<>();

  CommitSpans(
      Producer<byte[], byte[]> producer, Tracer tracer, Set<String> topics, boolean transactional) {
    this.producer = producer;
    this.tracer = tracer;
    this.topics = topics;
    this.transactional = transactional;
  }

  @Override
  public Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record) {
    return send(record, null);
  }

  @Override
  public Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record, Callback callback) {
    if (topics.contains(record.topic())) {
      Context parent = Tracing.extract(record.headers());
      Span span =
          tracer
              .spanBuilder(RouterTracing.COMMIT)
              .setParent(parent)
              .setSpanKind(SpanKind.PRODUCER)
              .setAttribute("messaging.system", "kafka")
              .setAttribute("messaging.destination.name", record.topic())
              .startSpan();
      if (span.isRecording()) {
        synchronized (open) {
          open.add(span);
        }
      }
    }
    return producer.send(record, callback);
  }

  @Override
  public void commitTransaction() {
    try {
      producer.commitTransaction();
    } catch (RuntimeException e) {
      endAll(e.toString());
      throw e;
    }
    endAll(null);
  }

  @Override
  public void abortTransaction() {
    endAll("transaction aborted");
    producer.abortTransaction();
  }

  @Override
  public void flush() {
    producer.flush();
    if (!transactional) {
      endAll(null);
    }
  }

  @Override
  public void close() {
    endAll("producer closed");
    producer.close();
  }

  @Override
  public void close(Duration timeout) {
    endAll("producer closed");
    producer.close(timeout);
  }

  private void endAll(String error) {
    List<Span> spans;
    synchronized (open) {
      if (open.isEmpty()) {
        return;
      }
      spans = new ArrayList<>(open);
      open.clear();
    }
    for (Span span : spans) {
      if (error != null) {
        span.setStatus(StatusCode.ERROR, error);
      }
      span.end();
    }
  }

  @Override
  public void initTransactions() {
    producer.initTransactions();
  }

  @Override
  public void beginTransaction() {
    producer.beginTransaction();
  }

  @Override
  public void sendOffsetsToTransaction(
      Map<TopicPartition, OffsetAndMetadata> offsets, ConsumerGroupMetadata groupMetadata) {
    producer.sendOffsetsToTransaction(offsets, groupMetadata);
  }

  @Override
  public void registerMetricForSubscription(KafkaMetric metric) {
    producer.registerMetricForSubscription(metric);
  }

  @Override
  public void unregisterMetricFromSubscription(KafkaMetric metric) {
    producer.unregisterMetricFromSubscription(metric);
  }

  @Override
  public List<PartitionInfo> partitionsFor(String topic) {
    return producer.partitionsFor(topic);
  }

  @Override
  public Map<MetricName, ? extends Metric> metrics() {
    return producer.metrics();
  }

  @Override
  public Uuid clientInstanceId(Duration timeout) {
    return producer.clientInstanceId(timeout);
  }
}
