package io.changecast.embedded.mongo.internal;

import de.bwaldvogel.mongo.MongoVersion;
import de.bwaldvogel.mongo.backend.Utils;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.bson.ObjectId;
import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the server says it is: MongoDB {@value #VERSION} (wire version {@value #MAX_WIRE_VERSION}),
 * in {@code buildInfo} and in the fields every {@code hello} carries ({@code topologyVersion},
 * {@code logicalSessionTimeoutMinutes}, {@code connectionId}, wire versions, limits).
 */
public final class ServerIdentity implements MongoVersion {

  /** The MongoDB release the server claims to be. */
  public static final String VERSION = "7.0.14";

  /** MongoDB 7.0's wire version. */
  public static final int MAX_WIRE_VERSION = 21;

  /** MongoDB's default {@code logicalSessionTimeoutMinutes}. */
  public static final int SESSION_TIMEOUT_MINUTES = 30;

  private static final AttributeKey<Integer> CONNECTION_ID =
      AttributeKey.valueOf("changecast.connectionId");

  /**
   * MongoDB's {@code NotPrimaryError} category: PrimarySteppedDown, NotWritablePrimary,
   * InterruptedDueToReplStateChange, NotPrimaryNoSecondaryOk, NotPrimaryOrSecondary.
   */
  private static final Set<Integer> NOT_PRIMARY_CODES = Set.of(189, 10107, 11602, 13435, 13436);

  private final ObjectId processId = new ObjectId();
  private final AtomicInteger connectionIds = new AtomicInteger();
  private final AtomicLong topologyCounter = new AtomicLong();
  private final Set<Runnable> topologyWaiters = ConcurrentHashMap.newKeySet();

  @Override
  public List<Integer> getVersionArray() {
    return List.of(7, 0, 14, 0);
  }

  @Override
  public String toVersionString() {
    return VERSION;
  }

  @Override
  public int getWireVersion() {
    return MAX_WIRE_VERSION;
  }

  /**
   * Whether {@code topologyVersion} (from a client's awaitable {@code hello}) is the current one.
   */
  boolean isCurrent(Document topologyVersion) {
    return processId.equals(topologyVersion.get("processId"))
        && topologyVersion.get("counter") instanceof Number counter
        && counter.longValue() == topologyCounter.get();
  }

  /**
   * Runs {@code waiter} on the next topology change (returns {@code true}), or returns {@code
   * false} when {@code topologyVersion} is no longer current; {@link #cancel} withdraws it.
   */
  boolean awaitChange(Document topologyVersion, Runnable waiter) {
    topologyWaiters.add(waiter);
    if (isCurrent(topologyVersion)) {
      return true;
    }
    topologyWaiters.remove(waiter);
    return false;
  }

  /**
   * {@code reply} as a replica-set member sends an error: a NotPrimaryError carries the current
   * {@code topologyVersion} (MongoDB's {@code appendErrorLabelsAndTopologyVersion}), so a driver
   * that knows that version already takes the error as stale and keeps the server selectable
   * instead of waiting for its next heartbeat. A shutdown error carries none: this server never
   * enters quiesce mode.
   */
  Document withTopologyVersion(Document reply) {
    if (reply.get("code") instanceof Number code && NOT_PRIMARY_CODES.contains(code.intValue())) {
      reply.putIfAbsent("topologyVersion", topologyVersion());
    }
    return reply;
  }

  private Document topologyVersion() {
    return new Document("processId", processId).append("counter", topologyCounter.get());
  }

  /** Withdraws a waiter registered with {@link #awaitChange}. */
  void cancel(Runnable waiter) {
    topologyWaiters.remove(waiter);
  }

  /** The server's role changed (e.g. {@code replSetInitiate}): wakes every awaitable hello. */
  void topologyChanged() {
    topologyCounter.incrementAndGet();
    List<Runnable> waiters = new ArrayList<>(topologyWaiters);
    topologyWaiters.removeAll(waiters);
    waiters.forEach(Runnable::run);
  }

  /** {@code buildInfo} as a MongoDB 7.0 community server answers it. */
  Document buildInfo(int maxBsonObjectSize) {
    Document reply =
        new Document("version", VERSION)
            .append("gitVersion", "0000000000000000000000000000000000000000")
            .append("modules", List.of())
            .append("allocator", "system")
            .append("javascriptEngine", "none")
            .append("sysInfo", "deprecated")
            .append("versionArray", getVersionArray())
            .append("bits", 64)
            .append("debug", Boolean.FALSE)
            .append("maxBsonObjectSize", maxBsonObjectSize)
            .append("storageEngines", List.of("memory"));
    Utils.markOkay(reply);
    return reply;
  }

  /**
   * Completes a {@code hello} reply: {@code topologyVersion} first, then {@code body}'s fields
   * (role and limits), then the session timeout, connection id and wire versions MongoDB 7.0 sends.
   */
  Document hello(Channel channel, Document body, boolean sessions) {
    Document reply = new Document("topologyVersion", topologyVersion());
    body.forEach(
        (key, value) -> {
          if (!key.equals("ok") && !key.equals("maxWireVersion") && !key.equals("minWireVersion")) {
            reply.put(key, value);
          }
        });
    if (sessions) {
      reply.put("logicalSessionTimeoutMinutes", SESSION_TIMEOUT_MINUTES);
    }
    reply.put("connectionId", connectionId(channel));
    reply.put("minWireVersion", 0);
    reply.put("maxWireVersion", MAX_WIRE_VERSION);
    reply.put("readOnly", Boolean.FALSE);
    Utils.markOkay(reply);
    return reply;
  }

  private int connectionId(Channel channel) {
    if (channel == null) {
      return 0;
    }
    Integer existing = channel.attr(CONNECTION_ID).get();
    if (existing != null) {
      return existing;
    }
    Integer id = connectionIds.incrementAndGet();
    Integer raced = channel.attr(CONNECTION_ID).setIfAbsent(id);
    return raced == null ? id : raced;
  }
}
