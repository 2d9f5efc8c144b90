package io.changecast.embedded.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedKafkaTest {

  private static EmbeddedKafka kafka;

  @BeforeAll
  static void startBroker() {
    kafka = EmbeddedKafka.start(KafkaOptions.defaults());
  }

  @AfterAll
  static void stopBroker() {
    if (kafka != null) {
      kafka.close();
    }
  }

  @Test
  void producedRecordIsConsumed() throws Exception {
    String topic = unique("plain");
    kafka.createTopic(topic, 1);

    try (KafkaProducer<String, String> producer = producer(Map.of())) {
      producer.send(new ProducerRecord<>(topic, "key", "hello")).get();
    }

    List<ConsumerRecord<String, String>> records =
        consumeAtLeast(topic, 1, Map.of(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted"));
    assertThat(records).hasSize(1);
    assertThat(records.get(0).key()).isEqualTo("key");
    assertThat(records.get(0).value()).isEqualTo("hello");
  }

  @Test
  void readCommittedSeesCommittedTransactionsOnly() throws Exception {
    String topic = unique("tx");
    kafka.createTopic(topic, 1);

    try (KafkaProducer<String, String> producer =
        producer(Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, unique("txid")))) {
      producer.initTransactions();
      producer.beginTransaction();
      producer.send(new ProducerRecord<>(topic, "k", "aborted"));
      producer.abortTransaction();
      producer.beginTransaction();
      producer.send(new ProducerRecord<>(topic, "k", "committed-1"));
      producer.send(new ProducerRecord<>(topic, "k", "committed-2"));
      producer.commitTransaction();
    }

    List<ConsumerRecord<String, String>> records =
        consumeAtLeast(topic, 2, Map.of(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"));
    assertThat(records)
        .extracting(ConsumerRecord::value)
        .containsExactly("committed-1", "committed-2");
  }

  @Test
  void createTopicIsIdempotent() throws Exception {
    String topic = unique("twice");
    kafka.createTopic(topic, 3);
    kafka.createTopic(topic, 3);

    try (Admin admin = admin(kafka)) {
      assertThat(admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions())
          .hasSize(3);
    }
  }

  @Test
  void restartOnSameDataDirKeepsTopics(@TempDir Path dir) throws Exception {
    Path dataDir = dir.resolve("kafka");
    String topic = unique("durable");
    try (EmbeddedKafka first = EmbeddedKafka.start(KafkaOptions.defaults().withDataDir(dataDir))) {
      first.createTopic(topic, 2);
    }
    assertThat(dataDir).isDirectory(); // a caller-supplied directory is kept

    try (EmbeddedKafka second = EmbeddedKafka.start(KafkaOptions.defaults().withDataDir(dataDir));
        Admin admin = admin(second)) {
      assertThat(admin.listTopics().names().get()).contains(topic);
    }
  }

  @Test
  void closeDeletesTheTemporaryDataDir() {
    EmbeddedKafka temporary = EmbeddedKafka.start(KafkaOptions.defaults());
    Path dataDir = temporary.dataDir();
    assertThat(dataDir).isDirectory();

    temporary.close();

    assertThat(Files.exists(dataDir)).isFalse();
  }

  private static KafkaProducer<String, String> producer(Map<String, Object> extra) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.putAll(extra);
    return new KafkaProducer<>(p);
  }

  private static List<ConsumerRecord<String, String>> consumeAtLeast(
      String topic, int n, Map<String, Object> extra) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, unique("group"));
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.putAll(extra);
    List<ConsumerRecord<String, String>> records = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
      consumer.subscribe(List.of(topic));
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                return records.size() >= n;
              });
    }
    return records;
  }

  static Admin admin(EmbeddedKafka broker) {
    return Admin.create(
        Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()));
  }

  static String unique(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }
}
