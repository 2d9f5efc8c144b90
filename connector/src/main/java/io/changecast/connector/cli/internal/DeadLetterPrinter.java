package io.changecast.connector.cli.internal;

import io.changecast.contract.HeaderNames;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads a dead-letter topic without a consumer group (assigned partitions, nothing committed) and
 * prints each record: where it is, its headers with the router's {@code changecast.error.*} reason
 * headers first, its key and its value.
 */
public final class DeadLetterPrinter implements AutoCloseable {

  private static final int MAX_SHOWN_CHARS = 2000;
  private static final Duration POLL = Duration.ofMillis(500);

  private final String bootstrap;
  private final PrintStream out;
  private final KafkaConsumer<byte[], byte[]> consumer;

  public DeadLetterPrinter(String bootstrap, PrintStream out) {
    this.bootstrap = bootstrap;
    this.out = out;
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, "changecast-dlq");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    this.consumer =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  /**
   * Prints the last {@code last} records of each partition of {@code topic} up to its current end,
   * then, with {@code follow}, every new one until the thread is interrupted.
   *
   * @throws org.apache.kafka.common.KafkaException when Kafka does not answer within {@code
   *     timeout}
   */
  public void print(String topic, long last, boolean follow, Duration timeout) {
    List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
    if (infos == null || infos.isEmpty()) {
      out.println(
          "no dead letters: topic "
              + topic
              + " does not exist on "
              + bootstrap
              + " (the router creates it when it starts)");
      return;
    }
    List<TopicPartition> partitions = new ArrayList<>();
    infos.forEach(i -> partitions.add(new TopicPartition(i.topic(), i.partition())));
    partitions.sort(Comparator.comparingInt(TopicPartition::partition));
    consumer.assign(partitions);
    Map<TopicPartition, Long> begin = consumer.beginningOffsets(partitions, timeout);
    Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
    for (TopicPartition p : partitions) {
      long from = end.get(p) - Math.min(last, end.get(p) - begin.get(p));
      consumer.seek(p, from);
    }
    long printed = 0;
    while (follow || !caughtUp(partitions, end, timeout)) {
      for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
        print(record);
        printed++;
      }
      if (Thread.currentThread().isInterrupted()) {
        break;
      }
    }
    out.println(printed + " dead letter(s) in " + topic + " on " + bootstrap);
  }

  private boolean caughtUp(
      List<TopicPartition> partitions, Map<TopicPartition, Long> end, Duration timeout) {
    for (TopicPartition p : partitions) {
      if (consumer.position(p, timeout) < end.get(p)) {
        return false;
      }
    }
    return true;
  }

  private void print(ConsumerRecord<byte[], byte[]> record) {
    out.println(
        record.topic()
            + " partition "
            + record.partition()
            + " offset "
            + record.offset()
            + ", "
            + Instant.ofEpochMilli(record.timestamp()));
    List<Header> headers = new ArrayList<>(List.of(record.headers().toArray()));
    headers.sort(Comparator.comparing(h -> !h.key().startsWith(HeaderNames.ERROR_PREFIX)));
    for (Header header : headers) {
      out.println("  " + header.key() + ": " + text(header.value()));
    }
    out.println("  key:   " + text(record.key()));
    out.println("  value: " + text(record.value()));
  }

  private static String text(byte[] bytes) {
    if (bytes == null) {
      return "(null)";
    }
    String text = new String(bytes, StandardCharsets.UTF_8);
    return text.length() <= MAX_SHOWN_CHARS
        ? text
        : text.substring(0, MAX_SHOWN_CHARS) + "... (" + bytes.length + " bytes)";
  }

  @Override
  public void close() {
    consumer.close();
  }
}
