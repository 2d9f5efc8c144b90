package io.changecast.edge.internal.http;

import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Produces write-API events to the ingest topic with an idempotent producer ({@code acks=all},
 * {@code enable.idempotence=true}), keyed by tenant.
 */
public final class KafkaIngestPublisher implements IngestPublisher {
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

  private final Producer<String, String> producer;
  private final String topic;

  KafkaIngestPublisher(Producer<String, String> producer, String topic) {
    this.producer = producer;
    this.topic = topic;
  }

  /**
   * A publisher to {@code topic} on {@code bootstrapServers}; {@code timeout} bounds both a {@code
   * send} blocked on metadata ({@code max.block.ms}) and the delivery ({@code
   * delivery.timeout.ms}).
   */
  public static KafkaIngestPublisher create(
      String bootstrapServers, String topic, Duration timeout) {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ProducerConfig.CLIENT_ID_CONFIG, "changecast-edge-ingest");
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    props.put(ProducerConfig.LINGER_MS_CONFIG, "0");
    int timeoutMs = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Integer.toString(timeoutMs));
    // delivery.timeout.ms must be at least linger.ms + request.timeout.ms.
    int requestTimeoutMs = Math.min(timeoutMs, 30_000);
    props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Integer.toString(requestTimeoutMs));
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Integer.toString(timeoutMs));
    return new KafkaIngestPublisher(
        new KafkaProducer<>(props, new StringSerializer(), new StringSerializer()), topic);
  }

  @Override
  public CompletableFuture<Void> publish(String tenant, String value) {
    CompletableFuture<Void> acked = new CompletableFuture<>();
    producer.send(
        new ProducerRecord<>(topic, tenant, value),
        (metadata, error) -> {
          if (error == null) {
            acked.complete(null);
          } else {
            acked.completeExceptionally(error);
          }
        });
    return acked;
  }

  @Override
  public void close() {
    producer.close(CLOSE_TIMEOUT);
  }
}
