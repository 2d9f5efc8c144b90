package io.changecast.embedded.mongo;

import io.changecast.embedded.mongo.internal.ChangeStreamBackend;
import io.changecast.embedded.mongo.internal.ReplicaSetMember;
import io.changecast.embedded.mongo.internal.ServerIdentity;
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
 * <p>It speaks as MongoDB 7.0 (wire version 21). By default ({@link MongoOptions#defaults()}) it is
 * the initiated primary of a single-member replica set known as {@code 127.0.0.1:PORT}, so a plain
 * {@code mongodb://127.0.0.1:PORT/} works for drivers and shells, with sessions, transactions and
 * retryable writes. With {@link MongoOptions#withReplicaSet} it runs as {@code mongod --replSet
 * NAME} does: an uninitialized member (no writes, {@code replSetGetStatus} fails with {@code
 * NotYetInitialized}) until {@code replSetInitiate}, then the primary. See {@link
 * #replicaSetConnectionString}.
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
  private final boolean plainUri;

  private EmbeddedMongo(
      ChangeStreamBackend backend,
      WireServer server,
      ReplicaSetMember replicaSet,
      boolean plainUri) {
    this.backend = backend;
    this.server = server;
    this.address = server.address();
    this.replicaSet = replicaSet;
    this.plainUri = plainUri;
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
    boolean plainUri = false;
    if (member != null) {
      // the port is known only now when options.port() was 0
      member.listeningOn(server.address());
      if (options.initiated()) {
        member.initiate(null);
        // drivers that discover the set reach the member by its name in hosts
        plainUri = member.memberHost().equals(hostAndPort(server.address()));
      }
    }
    EmbeddedMongo mongo = new EmbeddedMongo(backend, server, member, plainUri);
    if (member == null) {
      log.info(
          "Embedded MongoDB {} listening on {} (standalone; change history: {} events)",
          ServerIdentity.VERSION,
          mongo.connectionString(),
          options.historyLimit());
    } else if (member.initiated()) {
      log.info(
          "Embedded MongoDB {} listening on {}, primary of replica set {} (change history: {}"
              + " events)",
          ServerIdentity.VERSION,
          mongo.connectionString(),
          member.setName(),
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

  /**
   * A connection string for MongoDB drivers, shells and the MongoDB Kafka connector: a plain {@code
   * mongodb://HOST:PORT/} when the replica set names the member by that address, else with {@code
   * directConnection=true} (a standalone server, an uninitialized member, or a member known by
   * another name).
   */
  public String connectionString() {
    String uri = "mongodb://" + hostAndPort(address) + "/";
    return plainUri ? uri : uri + "?directConnection=true";
  }

  private static String hostAndPort(InetSocketAddress address) {
    return address.getHostString() + ":" + address.getPort();
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
