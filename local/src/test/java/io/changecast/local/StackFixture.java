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
 * {@code static} field.
 *
 * <p>{@link #shared} is one stack per distinct {@link LocalOptions} for the whole test run, like
 * test-support's {@code KafkaBroker}: started when the first class needs it, closed when the run
 * ends. Classes sharing it write to tenants of their own and leave every component running. A class
 * that restarts or breaks a component, drops a collection the others read, or needs other options
 * takes {@link #StackFixture(Options) its own}: started before its first test, closed after its
 * last.
 */
final class StackFixture implements BeforeAllCallback, AfterAllCallback {

  private static final ExtensionContext.Namespace SHARED =
      ExtensionContext.Namespace.create(StackFixture.class);

  /** The options to start with, read when the class starts (after {@code @TempDir} is set). */
  @FunctionalInterface
  interface Options {
    LocalOptions get() throws Exception;
  }

  private final Options options;
  private final boolean shared;
  private Running running;

  /** A stack of this class's own. */
  StackFixture(Options options) {
    this(options, false);
  }

  private StackFixture(Options options, boolean shared) {
    this.options = options;
    this.shared = shared;
  }

  /** The run's stack started with {@code options}, shared by every class that asks for it. */
  static StackFixture shared(LocalOptions options) {
    return new StackFixture(() -> options, true);
  }

  LocalStack stack() {
    return running.stack();
  }

  MongoClient mongo() {
    return running.mongo();
  }

  /** {@code app.orders}, the collection the shipped source watches. */
  MongoCollection<Document> orders() {
    return mongo().getDatabase("app").getCollection("orders");
  }

  /** A {@code read_committed} consumer of the stack's broker, with {@code more} settings. */
  KafkaConsumer<String, String> committedConsumer(Map<String, ?> more) {
    Map<String, Object> config = new HashMap<>(more);
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack().kafkaBootstrapServers());
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    return new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer());
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    LocalOptions startWith = options.get();
    if (shared) {
      // The root store lives as long as the run and closes the stack (AutoCloseable) at its end.
      running =
          context
              .getRoot()
              .getStore(SHARED)
              .getOrComputeIfAbsent(startWith, Running::start, Running.class);
    } else {
      running = Running.start(startWith);
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (!shared && running != null) {
      running.close();
    }
  }

  /** A started stack and a client to its MongoDB. */
  private record Running(LocalStack stack, MongoClient mongo) implements AutoCloseable {

    static Running start(LocalOptions options) {
      LocalStack stack = LocalStack.start(options);
      try {
        return new Running(stack, MongoClients.create(stack.mongoConnectionString()));
      } catch (RuntimeException e) {
        stack.close();
        throw e;
      }
    }

    @Override
    public void close() {
      try {
        mongo.close();
      } finally {
        stack.close();
      }
    }
  }
}
