package io.changecast.router.internal.tracing;

import io.opentelemetry.api.trace.Tracer;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.KafkaClientSupplier;
import org.apache.kafka.streams.processor.internals.DefaultKafkaClientSupplier;

/**
 * Kafka Streams' own clients, with producers that record {@value RouterTracing#COMMIT} spans for
 * the records sent to the given output topics ({@link CommitSpans}). With tracing off they are the
 * plain clients.
 */
public final class TracingClientSupplier implements KafkaClientSupplier {

  private final KafkaClientSupplier clients = new DefaultKafkaClientSupplier();
  private final Set<String> tracedTopics;

  /**
   * @param tracedTopics the topics whose records get a commit span (events, dead letters)
   */
  public TracingClientSupplier(Set<String> tracedTopics) {
    this.tracedTopics = Set.copyOf(tracedTopics);
  }

  @Override
  public Producer<byte[], byte[]> getProducer(Map<String, Object> config) {
    Producer<byte[], byte[]> producer = clients.getProducer(config);
    Tracer tracer = RouterTracing.tracer();
    if (tracer == RouterTracing.OFF) {
      return producer;
    }
    return new CommitSpans(
        producer, tracer, tracedTopics, config.get(ProducerConfig.TRANSACTIONAL_ID_CONFIG) != null);
  }

  @Override
  public Consumer<byte[], byte[]> getConsumer(Map<String, Object> config) {
    return clients.getConsumer(config);
  }

  @Override
  public Consumer<byte[], byte[]> getRestoreConsumer(Map<String, Object> config) {
    return clients.getRestoreConsumer(config);
  }

  @Override
  public Consumer<byte[], byte[]> getGlobalConsumer(Map<String, Object> config) {
    return clients.getGlobalConsumer(config);
  }

  @Override
  public org.apache.kafka.clients.admin.Admin getAdmin(Map<String, Object> config) {
    return clients.getAdmin(config);
  }
}
