package io.changecast.embedded.mongo;

import io.changecast.embedded.mongo.internal.ChangeStreamBackend;
import io.changecast.embedded.mongo.internal.ReplicaSetMember;
import io.changecast.embedded.mongo.internal.WireServer;
import java.net.InetSocketAddress;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An in-process MongoDB (mongo-java-server's in-memory backend) whose change streams behave like
 * MongoDB's: documented event shape, resume tokens, {@code resumeAfter}/{@code startAfter}/{@code
 * startAtOperationTime}, {@code ChangeStreamHistoryLost} past the retained history, {@code getMore}
 * that waits up to {@code maxAwaitTimeMS}, and {@code postBatchResumeToken}s. Data lives in memory
 * and is gone after {@link #close()}.
 *
 * <p>With {@link MongoOptions#replicaSet()} it runs as {@code mongod --replSet NAME} does: an
 * uninitialized member (no writes, {@code replSetGetStatus} fails with {@code NotYetInitialized})
 * until {@code replSetInitiate}, then the primary of a single-member replica set, so drivers that
 * connect with {@code replicaSet=NAME} find a primary. See {@link #replicaSetConnectionString()}.
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
  private final ReplicaSetMember replicaSet;

  private EmbeddedMongo(
      ChangeStreamBackend backend, WireServer server, ReplicaSetMember replicaSet) {
    this.backend = backend;
    this.server = server;
    this.address = server.address();
    this.replicaSet = replicaSet;
  }

  /** Starts a server with {@code options}; it listens when this returns. */
  public static EmbeddedMongo start(MongoOptions options) {
    ChangeStreamBackend backend = new ChangeStreamBackend(options.historyLimit());
    backend.enableOplog();
    ReplicaSetMember member = null;
    if (options.replicaSet() != null) {
      member = new ReplicaSetMember(options.replicaSet(), options.memberHost(), Clock.systemUTC());
      backend.enableReplicaSet(member);
    }
    WireServer server = WireServer.start(backend, options.host(), options.port());
    if (member != null) {
      // the port is known only now when options.port() was 0
      member.listeningOn(server.address());
    }
    EmbeddedMongo mongo = new EmbeddedMongo(backend, server, member);
    if (member == null) {
      log.info(
          "Embedded MongoDB listening on {} (change history: {} events)",
          mongo.connectionString(),
          options.historyLimit());
    } else {
      log.info(
          "Embedded MongoDB listening on {} as a member of replica set {}, waiting for"
              + " replSetInitiate (change history: {} events)",
          mongo.connectionString(),
          member.setName(),
          options.historyLimit());
    }
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

  /**
   * A connection string that finds the server through replica-set discovery ({@code
   * replicaSet=NAME}), naming {@code memberHost} (the member's host in the replica set config) as
   * the seed. Only with {@link MongoOptions#replicaSet()}.
   */
  public String replicaSetConnectionString(String memberHost) {
    if (replicaSet == null) {
      throw new IllegalStateException("not started as a replica set member");
    }
    return "mongodb://" + memberHost + "/?replicaSet=" + replicaSet.setName();
  }

  /** The replica set name, or {@code null} for a standalone server. */
  public String replicaSet() {
    return replicaSet == null ? null : replicaSet.setName();
  }

  /** The address the server listens on. */
  public InetSocketAddress address() {
    return address;
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
