package io.changecast.embedded.mongo;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * An {@link EmbeddedMongo} and a client to it, registered with {@code @RegisterExtension}: in a
 * {@code static} field one server serves all tests of the class, in an instance field each test
 * gets its own.
 */
final class MongoFixture
    implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {

  private static final AtomicInteger DATABASES = new AtomicInteger();

  private final MongoOptions options;
  private EmbeddedMongo mongo;
  private MongoClient client;
  private boolean perTest;

  MongoFixture() {
    this(MongoOptions.defaults());
  }

  MongoFixture(MongoOptions options) {
    this.options = options;
  }

  EmbeddedMongo mongo() {
    return mongo;
  }

  MongoClient client() {
    return client;
  }

  /** A database no test has used yet: {@code prefix} and a number. */
  MongoDatabase freshDatabase(String prefix) {
    return client.getDatabase(prefix + DATABASES.incrementAndGet());
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    start();
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    if (mongo == null) {
      perTest = true;
      start();
    }
  }

  @Override
  public void afterEach(ExtensionContext context) {
    if (perTest) {
      close();
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    close();
  }

  private void start() {
    mongo = EmbeddedMongo.start(options);
    client = MongoClients.create(mongo.connectionString());
  }

  private void close() {
    if (mongo != null) {
      client.close();
      mongo.close();
      mongo = null;
    }
  }
}
