package io.changecast.connector.it;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads one topic from the beginning with {@code read_committed} (only what the router's
 * transactions committed) and keeps every record seen; {@link #poll()} is called from Awaitility
 * conditions, one at a time.
 */
final class TopicReader implements AutoCloseable {

  private final KafkaConsumer<String, String> consumer;
  private final List<ConsumerRecord<String, String>> seen = new ArrayList<>();

  TopicReader(String bootstrapServers, String topic) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "it-" + topic + "-" + UUID.randomUUID());
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    consumer = new KafkaConsumer<>(p);
    consumer.subscribe(List.of(topic));
  }

  /** Polls once and returns every record seen so far. */
  synchronized List<ConsumerRecord<String, String>> poll() {
    consumer.poll(Duration.ofMillis(250)).forEach(seen::add);
    return List.copyOf(seen);
  }

  /** Polls once and returns the records seen so far that match. */
  List<ConsumerRecord<String, String>> poll(Predicate<ConsumerRecord<String, String>> filter) {
    return poll().stream().filter(filter).toList();
  }

  @Override
  public synchronized void close() {
    consumer.close();
  }
}
