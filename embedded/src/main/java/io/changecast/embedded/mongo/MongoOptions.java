package io.changecast.embedded.mongo;

/**
 * Options of an {@link EmbeddedMongo}.
 *
 * @param host the address to bind to (loopback by default)
 * @param port the port to listen on; {@code 0} picks a free port
 * @param historyLimit how many change events the server retains for change streams; a resume from a
 *     point older than that fails with error 286 {@code ChangeStreamHistoryLost}
 * @param replicaSet {@code null} for a standalone server (the default); else the name of the
 *     replica set the server is a member of, as with {@code mongod --replSet NAME}: it waits for
 *     {@code replSetInitiate} as an uninitialized member does, then is the set's primary
 * @param memberHost the {@code host:port} the member is known as when {@code replSetInitiate} comes
 *     without a config; {@code null} for what {@code mongod} takes: the bound host (the machine's
 *     host name when bound to a wildcard address) and the listening port. A config passed to {@code
 *     replSetInitiate} names the member itself.
 * @param initiated whether the member is initiated when the server starts (the primary of a
 *     single-member set at once, as after {@code rs.initiate()}); {@code false} waits for {@code
 *     replSetInitiate}. Ignored for a standalone server.
 */
public record MongoOptions(
    String host,
    int port,
    int historyLimit,
    String replicaSet,
    String memberHost,
    boolean initiated) {

  /** The replica set name of {@link #defaults()}. */
  public static final String DEFAULT_REPLICA_SET = "rs0";

  /** The default number of retained change events. */
  public static final int DEFAULT_HISTORY_LIMIT = 10_000;

  public MongoOptions {
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("host must not be blank");
    }
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("port must be between 0 and 65535, was " + port);
    }
    if (historyLimit < 1) {
      throw new IllegalArgumentException("historyLimit must be positive, was " + historyLimit);
    }
    if (replicaSet != null && replicaSet.isBlank()) {
      throw new IllegalArgumentException("replicaSet must be null or a name, was blank");
    }
    if (memberHost != null && memberHost.isBlank()) {
      throw new IllegalArgumentException("memberHost must be null or host:port, was blank");
    }
  }

  /** A standalone server. */
  public MongoOptions(String host, int port, int historyLimit) {
    this(host, port, historyLimit, null, null, false);
  }

  /**
   * {@code 127.0.0.1}, a free port, {@value #DEFAULT_HISTORY_LIMIT} retained events, the initiated
   * primary of replica set {@value #DEFAULT_REPLICA_SET} (sessions and transactions work).
   */
  public static MongoOptions defaults() {
    return new MongoOptions("127.0.0.1", 0, DEFAULT_HISTORY_LIMIT, DEFAULT_REPLICA_SET, null, true);
  }

  /** A copy listening on {@code port} ({@code 0} = a free port). */
  public MongoOptions withPort(int port) {
    return new MongoOptions(host, port, historyLimit, replicaSet, memberHost, initiated);
  }

  /** A copy retaining {@code n} change events. */
  public MongoOptions withHistoryLimit(int n) {
    return new MongoOptions(host, port, n, replicaSet, memberHost, initiated);
  }

  /** A copy binding to {@code host}. */
  public MongoOptions withHost(String host) {
    return new MongoOptions(host, port, historyLimit, replicaSet, memberHost, initiated);
  }

  /**
   * A copy that is an uninitialized member of replica set {@code name}, waiting for {@code
   * replSetInitiate} as {@code mongod --replSet NAME} does ({@code null}: a standalone server).
   */
  public MongoOptions withReplicaSet(String name) {
    return new MongoOptions(host, port, historyLimit, name, memberHost, false);
  }

  /** A copy that is the already initiated primary of replica set {@code name}. */
  public MongoOptions withInitiatedReplicaSet(String name) {
    return new MongoOptions(host, port, historyLimit, name, memberHost, true);
  }

  /** A standalone server: no replica set, so no transactions (as {@code mongod} without it). */
  public MongoOptions standalone() {
    return new MongoOptions(host, port, historyLimit, null, null, false);
  }

  /** A copy whose member is known as {@code hostAndPort} when initiated without a config. */
  public MongoOptions withMemberHost(String hostAndPort) {
    return new MongoOptions(host, port, historyLimit, replicaSet, hostAndPort, initiated);
  }
}
