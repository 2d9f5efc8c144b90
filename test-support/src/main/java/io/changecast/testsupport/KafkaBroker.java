package io.changecast.testsupport;

import io.changecast.embedded.kafka.ConnectOptions;
import io.changecast.embedded.kafka.EmbeddedConnect;
import io.changecast.embedded.kafka.EmbeddedKafka;
import io.changecast.embedded.kafka.KafkaOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.function.UnaryOperator;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One embedded KRaft broker for the whole test run of a module (one JVM fork):
 * {@code @RegisterExtension static final KafkaBroker kafka = new KafkaBroker();}. The broker starts
 * when the first test class needs it and stops when the run ends; each test class names its own
 * topics, application ids, groups and Connect clusters ({@link #unique}).
 */
public final class KafkaBroker implements BeforeAllCallback {

  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(KafkaBroker.class);

  private EmbeddedKafka kafka;

  @Override
  public void beforeAll(ExtensionContext context) {
    // The root store lives as long as the run and closes the broker (AutoCloseable) at its end.
    kafka =
        context
            .getRoot()
            .getStore(NAMESPACE)
            .getOrComputeIfAbsent(
                EmbeddedKafka.class,
                k -> EmbeddedKafka.start(KafkaOptions.defaults()),
                EmbeddedKafka.class);
  }

  /** A name no other test of the run uses: {@code prefix-<8 hex digits>}. */
  public static String unique(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /** {@code host:port} of the broker. */
  public String bootstrapServers() {
    return kafka.bootstrapServers();
  }

  /** Creates a topic with replication factor 1; does nothing if it already exists. */
  public void createTopic(String name, int partitions) {
    kafka.createTopic(name, partitions);
  }

  /** An admin client of the broker; the caller closes it. */
  public Admin admin() {
    return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()));
  }

  /** The partition count of topic {@code name}, 0 while it does not exist. */
  public int partitions(String name) throws ExecutionException, InterruptedException {
    try (Admin admin = admin()) {
      if (!admin.listTopics().names().get().contains(name)) {
        return 0;
      }
      return admin
          .describeTopics(List.of(name))
          .allTopicNames()
          .get()
          .get(name)
          .partitions()
          .size();
    }
  }

  /** A producer of string keys and values with {@code acks=all}, plus {@code settings}. */
  public KafkaProducer<String, String> producer(Map<String, String> settings) {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    props.putAll(settings);
    return new KafkaProducer<>(props);
  }

  /**
   * A consumer of string keys and values in a group of its own that reads from the earliest offset,
   * plus {@code settings}.
   */
  public KafkaConsumer<String, String> consumer(Map<String, String> settings) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    props.put(ConsumerConfig.GROUP_ID_CONFIG, unique("test-reader"));
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    props.putAll(settings);
    return new KafkaConsumer<>(props);
  }

  /**
   * Reads {@code topic} from its start until {@code count} records arrived or {@code timeout}
   * passed, and returns what it read (the caller asserts on it).
   */
  public List<ConsumerRecord<String, String>> read(String topic, int count, Duration timeout) {
    List<ConsumerRecord<String, String>> records = new ArrayList<>();
    long deadline = System.nanoTime() + timeout.toNanos();
    try (KafkaConsumer<String, String> consumer = consumer(Map.of())) {
      consumer.subscribe(List.of(topic));
      while (records.size() < count && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(100)).forEach(records::add);
      }
    }
    return records;
  }

  /**
   * Starts a Connect worker on this broker as a Connect cluster of its own (a unique group id,
   * hence its own internal topics), with {@code options} applied; the caller closes it.
   */
  public EmbeddedConnect startConnect(UnaryOperator<ConnectOptions> options) {
    return EmbeddedConnect.start(
        options.apply(ConnectOptions.defaults(bootstrapServers()).withGroupId(unique("connect"))));
  }
}
