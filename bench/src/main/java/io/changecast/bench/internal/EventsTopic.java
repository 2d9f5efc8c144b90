package io.changecast.bench.internal;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A fresh events topic of the harness's broker and the harness's producer to it, as the router
 * would write it: key the tenant, value the envelope, {@code linger.ms=1}, {@code acks=1}. The
 * edge's fan-out target and the loopback floor read what it publishes the same way, so both
 * latencies count the same hop (publish → topic → consumer).
 */
public final class EventsTopic implements AutoCloseable {

  /** Partitions of each fresh events topic. */
  public static final int PARTITIONS = 6;

  private final String name;
  private final KafkaProducer<String, String> producer;

  private EventsTopic(String name, KafkaProducer<String, String> producer) {
    this.name = name;
    this.producer = producer;
  }

  /** Creates {@code bench.<prefix>.<8 hex digits>} with {@value #PARTITIONS} partitions. */
  public static EventsTopic create(String bootstrapServers, String prefix) {
    String name = "bench." + prefix + "." + UUID.randomUUID().toString().substring(0, 8);
    EdgeTarget.createTopic(bootstrapServers, name, PARTITIONS);
    return new EventsTopic(
        name,
        new KafkaProducer<>(
            Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.LINGER_MS_CONFIG, "1",
                ProducerConfig.ACKS_CONFIG, "1"),
            new StringSerializer(),
            new StringSerializer()));
  }

  public String name() {
    return name;
  }

  /** Sends one envelope of {@code tenant} (the producer batches on its own thread). */
  public void publish(String tenant, String json) {
    producer.send(new ProducerRecord<>(name, tenant, json));
  }

  /** How the harness publishes, for the results. */
  public static String description() {
    return "envelopes produced by the harness (key tenant, linger.ms=1, acks=1) to a fresh events"
        + " topic ("
        + PARTITIONS
        + " partitions)";
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(5));
  }
}
