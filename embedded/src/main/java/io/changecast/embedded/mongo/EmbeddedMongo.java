package io.changecast.embedded.mongo;

import io.changecast.embedded.mongo.internal.ChangeStreamBackend;
import io.changecast.embedded.mongo.internal.WireServer;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An in-process MongoDB (mongo-java-server's in-memory backend) whose change streams behave like
 * MongoDB's: documented event shape, resume tokens, {@code resumeAfter}/{@code startAfter}/{@code
 * startAtOperationTime}, {@code ChangeStreamHistoryLost} past the retained history, {@code getMore}
 * that waits up to {@code maxAwaitTimeMS}, and {@code postBatchResumeToken}s. Data lives in memory
 * and is gone after {@link #close()}.
 *
 * <pre>{@code
 * try (EmbeddedMongo mongo = EmbeddedMongo.start(MongoOptions.defaults())) {
 *   MongoClient client = MongoClients.create(mongo.connectionString());
 * }
 * }</pre>
 */
public final class EmbeddedMongo implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EmbeddedMongo.class);

  private final ChangeStreamBackend backend;
  private final WireServer server;
  private final InetSocketAddress address;

  private EmbeddedMongo(ChangeStreamBackend backend, WireServer server) {
    this.backend = backend;
    this.server = server;
    this.address = server.address();
  }

  /** Starts a server with {@code options}; it listens when this returns. */
  public static EmbeddedMongo start(MongoOptions options) {
    ChangeStreamBackend backend = new ChangeStreamBackend(options.historyLimit());
    backend.enableOplog();
    EmbeddedMongo mongo =
        new EmbeddedMongo(backend, WireServer.start(backend, options.host(), options.port()));
    log.info(
        "Embedded MongoDB listening on {} (change history: {} events)",
        mongo.connectionString(),
        options.historyLimit());
    return mongo;
  }

  /** A connection string for MongoDB drivers and the MongoDB Kafka connector. */
  public String connectionString() {
    return "mongodb://"
        + address.getHostString()
        + ":"
        + address.getPort()
        + "/?directConnection=true";
  }

  /** The port the server listens on. */
  public int port() {
    return address.getPort();
  }

  /** The backend, for tests of this package. */
  ChangeStreamBackend backend() {
    return backend;
  }

  /** Stops listening, closes client connections and drops all data. */
  @Override
  public void close() {
    server.close();
  }
}
