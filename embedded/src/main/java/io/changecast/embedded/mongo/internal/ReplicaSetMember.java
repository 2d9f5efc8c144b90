package io.changecast.embedded.mongo.internal;

import de.bwaldvogel.mongo.backend.Utils;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.bson.ObjectId;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The replica-set side of a server started like {@code mongod --replSet NAME}: one member that
 * answers as an uninitialized member until {@code replSetInitiate} gives it a config naming itself,
 * and as the primary of a single-member set from then on.
 *
 * <p>What MongoDB does, and this does too: before initiation {@code hello} says {@code
 * isWritablePrimary: false}, {@code isreplicaset: true} and "Does not have a valid replica set
 * config"; {@code replSetGetStatus} and {@code replSetGetConfig} fail with 94 {@code
 * NotYetInitialized}; writes fail with 10107 {@code NotWritablePrimary}. {@code replSetInitiate}
 * takes a config whose {@code _id} is the set name, or no config (then the member is {@code
 * memberHost}); a second one fails with 23 {@code AlreadyInitialized}. After that {@code hello}
 * answers as a primary ({@code setName}, {@code setVersion}, {@code hosts}, {@code primary}, {@code
 * me}, {@code electionId}).
 *
 * <p>Only a single-member set is supported: a config with more members is rejected with 93 {@code
 * InvalidReplicaSetConfig}. The member's host is taken from the config as given (the name clients
 * reach the server by, e.g. a compose service name); unlike {@code mongod}, the server does not
 * check that the name resolves to itself. Elections are instant: initiation makes the member
 * primary at once.
 */
public final class ReplicaSetMember {

  private static final Logger log = LoggerFactory.getLogger(ReplicaSetMember.class);

  /** The commands that write, refused by a member that is not primary. */
  private static final Set<String> WRITE_COMMANDS =
      Set.of(
          "insert",
          "update",
          "delete",
          "findandmodify",
          "create",
          "createindexes",
          "drop",
          "dropdatabase",
          "dropindexes",
          "renamecollection",
          "collmod");

  /** Databases a member writes to locally whatever its state, as MongoDB lets it. */
  private static final Set<String> LOCAL_DATABASES = Set.of("local");

  /** MongoDB's election id of term 1: {@code 0x7fffffff} then the term. */
  private static final ObjectId ELECTION_ID = new ObjectId("7fffffff0000000000000001");

  private final String setName;
  private final String configuredMemberHost;
  private final Clock clock;
  private final Instant started;
  private final AtomicReference<InetSocketAddress> listening = new AtomicReference<>();
  private final AtomicReference<Config> config = new AtomicReference<>();

  /**
   * A member of set {@code setName}; {@code memberHost} ({@code host:port}, or {@code null} for the
   * machine's host name and the listening port) is the host an initiation without a config uses.
   */
  public ReplicaSetMember(String setName, String memberHost, Clock clock) {
    if (setName == null || setName.isBlank()) {
      throw new IllegalArgumentException("replica set name must not be blank");
    }
    this.setName = setName;
    this.configuredMemberHost = memberHost;
    this.clock = clock;
    this.started = clock.instant();
  }

  /** The replica set name. */
  public String setName() {
    return setName;
  }

  /** Tells the member the address its server is bound to (before any client connects). */
  public void listeningOn(InetSocketAddress address) {
    listening.set(address);
  }

  /** The member's {@code host:port} in the config, or {@code null} before initiation. */
  public String memberHost() {
    Config current = config.get();
    return current == null ? null : current.memberHost();
  }

  /** Whether {@code replSetInitiate} succeeded. */
  public boolean initiated() {
    return config.get() != null;
  }

  /** The host an initiation without a config names, as {@code mongod} does: host name and port. */
  public String defaultMemberHost() {
    if (configuredMemberHost != null) {
      return configuredMemberHost;
    }
    InetSocketAddress address = listening.get();
    int port = address == null ? 27017 : address.getPort();
    String host =
        address == null || address.getAddress().isAnyLocalAddress()
            ? Utils.getHostName()
            : address.getHostString();
    return host + ":" + port;
  }

  /**
   * Turns a standalone {@code hello} (or legacy {@code isMaster}, when {@code legacy}) reply into a
   * replica-set member's.
   */
  Document hello(Document standalone, Document query, boolean legacy, long lastWrite) {
    Config current = config.get();
    Document reply = new Document();
    if (current == null) {
      reply.put(legacy ? "ismaster" : "isWritablePrimary", Boolean.FALSE);
      reply.put("secondary", Boolean.FALSE);
      reply.put("info", "Does not have a valid replica set config");
      reply.put("isreplicaset", Boolean.TRUE);
    } else {
      reply.put("hosts", List.of(current.memberHost()));
      reply.put("setName", setName);
      reply.put("setVersion", current.version());
      reply.put(legacy ? "ismaster" : "isWritablePrimary", Boolean.TRUE);
      reply.put("secondary", Boolean.FALSE);
      reply.put("primary", current.memberHost());
      reply.put("me", current.memberHost());
      reply.put("electionId", ELECTION_ID);
      reply.put("lastWrite", lastWrite(lastWrite));
    }
    standalone.forEach(
        (key, value) -> {
          if (!key.equals("ismaster") && !key.equals("isWritablePrimary") && !key.equals("ok")) {
            reply.put(key, value);
          }
        });
    if (Utils.isTrue(query.get("helloOk"))) {
      reply.put("helloOk", Boolean.TRUE);
    }
    Utils.markOkay(reply);
    return reply;
  }

  /** {@code lastWrite} of a primary whose newest write (and majority write) is at {@code time}. */
  private static Document lastWrite(long time) {
    Document opTime = new Document("ts", ClusterTime.toTimestamp(time)).append("t", 1L);
    Instant date = Instant.ofEpochSecond(ClusterTime.seconds(time));
    return new Document("opTime", opTime)
        .append("lastWriteDate", date)
        .append("majorityOpTime", opTime)
        .append("majorityWriteDate", date);
  }

  /** {@code replSetInitiate}: the reply, {@code ok: 1} or an error document. */
  public Document initiate(Object argument) {
    if (config.get() != null) {
      return error(23, "AlreadyInitialized", "already initialized");
    }
    Config candidate;
    if (argument instanceof Document document && !document.isEmpty()) {
      Object id = document.get("_id");
      if (!(id instanceof String name)) {
        return invalidConfig("Missing expected field \"_id\"");
      }
      if (!name.equals(setName)) {
        return invalidConfig(
            "Attempting to initiate a replica set with name "
                + name
                + ", but command line reports "
                + setName
                + "; rejecting");
      }
      if (!(document.get("members") instanceof List<?> members) || members.isEmpty()) {
        return invalidConfig("Replica set configuration must contain at least one member");
      }
      if (members.size() != 1) {
        return invalidConfig(
            "this server supports a single-member replica set only; the config has "
                + members.size()
                + " members");
      }
      if (!(members.get(0) instanceof Document member)
          || !(member.get("_id") instanceof Number memberId)
          || !(member.get("host") instanceof String host)
          || host.isBlank()) {
        return invalidConfig("a member needs a numeric \"_id\" and a \"host\" string");
      }
      int version = document.get("version") instanceof Number v ? v.intValue() : 1;
      candidate = new Config(memberId.intValue(), host, version, clock.instant());
    } else {
      candidate = new Config(0, defaultMemberHost(), 1, clock.instant());
    }
    if (!config.compareAndSet(null, candidate)) {
      return error(23, "AlreadyInitialized", "already initialized");
    }
    log.info(
        "Replica set {} initiated: member {} ({}) is primary",
        setName,
        candidate.memberId(),
        candidate.memberHost());
    return ok(new Document());
  }

  /** {@code replSetGetStatus}. */
  Document status() {
    Config current = config.get();
    if (current == null) {
      return notYetInitialized();
    }
    Instant now = clock.instant();
    Document member =
        new Document("_id", current.memberId())
            .append("name", current.memberHost())
            .append("health", 1.0)
            .append("state", 1)
            .append("stateStr", "PRIMARY")
            .append("uptime", now.getEpochSecond() - started.getEpochSecond())
            .append("electionDate", current.initiatedAt())
            .append("configVersion", current.version())
            .append("configTerm", 1L)
            .append("self", Boolean.TRUE);
    return ok(
        new Document("set", setName)
            .append("date", now)
            .append("myState", 1)
            .append("term", 1L)
            .append("heartbeatIntervalMillis", 2000L)
            .append("members", List.of(member)));
  }

  /** {@code replSetGetConfig}. */
  Document getConfig() {
    Config current = config.get();
    if (current == null) {
      return notYetInitialized();
    }
    Document member =
        new Document("_id", current.memberId())
            .append("host", current.memberHost())
            .append("arbiterOnly", Boolean.FALSE)
            .append("buildIndexes", Boolean.TRUE)
            .append("hidden", Boolean.FALSE)
            .append("priority", 1.0)
            .append("tags", new Document())
            .append("secondaryDelaySecs", 0L)
            .append("votes", 1);
    return ok(
        new Document(
            "config",
            new Document("_id", setName)
                .append("version", current.version())
                .append("term", 1)
                .append("members", List.of(member))
                .append("protocolVersion", 1L)
                .append("writeConcernMajorityJournalDefault", Boolean.TRUE)));
  }

  /**
   * The error a write gets from a member that is not primary, or {@code null} when {@code command}
   * on {@code databaseName} may run.
   */
  Document refuseWrite(String databaseName, String command) {
    if (config.get() != null
        || LOCAL_DATABASES.contains(databaseName)
        || !WRITE_COMMANDS.contains(command.toLowerCase(Locale.ROOT))) {
      return null;
    }
    return error(10107, "NotWritablePrimary", "not primary");
  }

  private static Document notYetInitialized() {
    return error(94, "NotYetInitialized", "no replset config has been received");
  }

  private static Document invalidConfig(String message) {
    return error(93, "InvalidReplicaSetConfig", message);
  }

  private static Document ok(Document reply) {
    Utils.markOkay(reply);
    return reply;
  }

  static Document error(int code, String codeName, String message) {
    return new Document("ok", 0.0)
        .append("errmsg", message)
        .append("code", code)
        .append("codeName", codeName);
  }

  private record Config(int memberId, String memberHost, int version, Instant initiatedAt) {}
}
