package io.changecast.router;

import io.changecast.embedded.kafka.EmbeddedKafka;
import io.changecast.embedded.kafka.KafkaOptions;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One embedded KRaft broker per test class: {@code @RegisterExtension static final KafkaBroker
 * kafka = new KafkaBroker();}.
 */
final class KafkaBroker implements BeforeAllCallback, AfterAllCallback {

  private EmbeddedKafka kafka;

  @Override
  public void beforeAll(ExtensionContext context) {
    kafka = EmbeddedKafka.start(KafkaOptions.defaults());
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (kafka != null) {
      kafka.close();
    }
  }

  String bootstrapServers() {
    return kafka.bootstrapServers();
  }

  void createTopic(String name, int partitions) {
    kafka.createTopic(name, partitions);
  }

  /** The partition count of topic {@code name}, 0 while it does not exist. */
  int partitions(String name) throws Exception {
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
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
  KafkaProducer<String, String> producer(Map<String, String> settings) {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    props.putAll(settings);
    return new KafkaProducer<>(props);
  }
}
