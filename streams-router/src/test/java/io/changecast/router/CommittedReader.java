package io.changecast.router;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads topics from the beginning with {@code isolation.level=read_committed} on its own thread, as
 * a subscriber would: only what the router committed is ever seen.
 */
final class CommittedReader implements AutoCloseable {

  private final KafkaConsumer<String, String> consumer;
  private final Properties props = new Properties();
  private final List<ConsumerRecord<String, String>> records = new CopyOnWriteArrayList<>();
  private final Map<String, AtomicLong> counts = new ConcurrentHashMap<>();
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private final AtomicReference<Map<TopicPartition, Long>> positions =
      new AtomicReference<>(Map.of());
  private final List<TopicPartition> partitions = new ArrayList<>();
  private final Thread thread;

  CommittedReader(String bootstrapServers, List<String> topics) {
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    consumer = new KafkaConsumer<>(props);
    for (String topic : topics) {
      for (PartitionInfo info : consumer.partitionsFor(topic, Duration.ofSeconds(30))) {
        partitions.add(new TopicPartition(topic, info.partition()));
      }
    }
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    thread = new Thread(this::run, "committed-reader");
    thread.setDaemon(true);
    thread.start();
  }

  private void run() {
    try {
      while (running.get()) {
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(100))) {
          records.add(record);
          counts.computeIfAbsent(record.topic(), t -> new AtomicLong()).incrementAndGet();
        }
        Map<TopicPartition, Long> now = new HashMap<>();
        for (TopicPartition tp : partitions) {
          now.put(tp, consumer.position(tp));
        }
        positions.set(Map.copyOf(now));
      }
    } catch (Throwable t) {
      failure.set(t);
    } finally {
      consumer.close(Duration.ofSeconds(5));
    }
  }

  /** Everything read so far, in read order (per partition: log order). */
  List<ConsumerRecord<String, String>> records() {
    throwIfFailed();
    return List.copyOf(records);
  }

  /** The number of records read from {@code topic} so far. */
  long count(String topic) {
    throwIfFailed();
    AtomicLong count = counts.get(topic);
    return count == null ? 0 : count.get();
  }

  /** The reader's next offsets, as of its last poll. */
  Map<TopicPartition, Long> positions() {
    throwIfFailed();
    return positions.get();
  }

  /**
   * Whether the reader has read everything committed so far: its positions have reached the
   * partitions' last stable offsets.
   */
  boolean caughtUp() {
    Map<TopicPartition, Long> read = positions();
    try (KafkaConsumer<String, String> probe = new KafkaConsumer<>(props)) {
      Map<TopicPartition, Long> end = probe.endOffsets(partitions, Duration.ofSeconds(30));
      return end.entrySet().stream()
          .allMatch(e -> read.getOrDefault(e.getKey(), -1L) >= e.getValue());
    }
  }

  private void throwIfFailed() {
    Throwable t = failure.get();
    if (t != null) {
      throw new IllegalStateException("The committed reader failed", t);
    }
  }

  @Override
  public void close() throws InterruptedException {
    running.set(false);
    thread.join(10_000);
  }
}
