package io.changecast.local;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.bson.Document;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A {@link LocalStack} and a MongoDB client to it, registered with {@code @RegisterExtension} on a
 * {@code static} field: started before the class's first test, closed after its last.
 */
final class StackFixture implements BeforeAllCallback, AfterAllCallback {

  /** The options to start with, read when the class starts (after {@code @TempDir} is set). */
  @FunctionalInterface
  interface Options {
    LocalOptions get() throws Exception;
  }

  private final Options options;
  private LocalStack stack;
  private MongoClient mongo;

  StackFixture(Options options) {
    this.options = options;
  }

  LocalStack stack() {
    return stack;
  }

  MongoClient mongo() {
    return mongo;
  }

  /** {@code app.orders}, the collection the shipped source watches. */
  MongoCollection<Document> orders() {
    return mongo.getDatabase("app").getCollection("orders");
  }

  /** A {@code read_committed} consumer of the stack's broker, with {@code more} settings. */
  KafkaConsumer<String, String> committedConsumer(Map<String, ?> more) {
    Map<String, Object> config = new HashMap<>(more);
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrapServers());
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    return new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer());
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    stack = LocalStack.start(options.get());
    mongo = MongoClients.create(stack.mongoConnectionString());
  }

  @Override
  public void afterAll(ExtensionContext context) {
    try {
      if (mongo != null) {
        mongo.close();
      }
    } finally {
      if (stack != null) {
        stack.close();
      }
    }
  }
}
