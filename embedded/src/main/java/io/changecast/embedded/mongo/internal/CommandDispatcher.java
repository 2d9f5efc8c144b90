package io.changecast.embedded.mongo.internal;

import de.bwaldvogel.mongo.backend.Utils;
import de.bwaldvogel.mongo.bson.BinData;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.exception.MongoServerError;
import de.bwaldvogel.mongo.exception.MongoServerException;
import io.netty.channel.Channel;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where every command enters: logical sessions ({@code lsid}, {@code startSession}, {@code
 * endSessions}, ...), multi-document transactions ({@code autocommit: false}, {@code
 * commitTransaction}, {@code abortTransaction}) and retryable writes ({@code txnNumber}) are
 * handled here; the command itself runs in {@link TransactionRunner.Storage}. Errors become
 * MongoDB's error replies (with {@code errorLabels}), and a replica-set member's replies carry
 * {@code operationTime} and {@code $clusterTime}.
 *
 * <p>Ordinary commands share a lock that a transaction's commands and commits take exclusively, so
 * no reader ever sees part of a transaction. The lock is held only while a command runs, never
 * between a client's commands.
 */
final class CommandDispatcher {

  private static final Logger log = LoggerFactory.getLogger(CommandDispatcher.class);

  /** {@code $clusterTime.signature.hash} of a server without keys: 20 zero bytes. */
  private static final byte[] ZERO_HASH = new byte[20];

  /** The commands that take {@code readConcern: {level: "snapshot"}} outside a transaction. */
  private static final Set<String> SNAPSHOT_READS =
      Set.of("find", "aggregate", "distinct", "getmore");

  private final TransactionRunner.Storage storage;
  private final ChangeHistory history;
  private final Supplier<ReplicaSetMember> member;
  private final Sessions sessions;
  private final ServerIdentity identity;
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private final TransactionRunner transactions;

  CommandDispatcher(
      TransactionRunner.Storage storage,
      ChangeHistory history,
      Supplier<ReplicaSetMember> member,
      Sessions sessions,
      ServerIdentity identity) {
    this.storage = storage;
    this.identity = identity;
    this.history = history;
    this.member = member;
    this.sessions = sessions;
    this.transactions = new TransactionRunner(storage, history, lock);
  }

  /** Runs a command; never throws: an error is an error reply. */
  Document handle(Channel channel, String db, String command, Document query) {
    Document reply;
    try {
      reply = withWriteConcernError(dispatch(channel, db, command, query), query);
    } catch (MongoServerException e) {
      log.debug("{} on {} failed: {}", command, db, e.getMessage());
      reply = ErrorLabels.addTo(errorReply(e), query, false);
    } catch (RuntimeException e) {
      if (log.isDebugEnabled()) {
        log.warn("{} on {} failed", command, db, e);
      } else {
        log.warn("{} on {} failed: {}", command, db, e.toString());
      }
      reply = errorReply(new MongoServerException("Unknown error: " + e.getMessage(), e));
    }
    return withClusterTime(withTopologyVersion(reply));
  }

  /**
   * A replica-set member's error reply: a not-primary error names the server's {@code
   * topologyVersion} ({@link ServerIdentity#withTopologyVersion}); a standalone's names none.
   */
  Document withTopologyVersion(Document reply) {
    return member.get() == null ? reply : identity.withTopologyVersion(reply);
  }

  /** Adds {@code operationTime} and {@code $clusterTime} as a replica-set member does. */
  Document withClusterTime(Document reply) {
    ReplicaSetMember current = member.get();
    if (current != null && current.initiated()) {
      Object time = ClusterTime.toTimestamp(history.lastIssued());
      reply.put(
          "$clusterTime",
          new Document("clusterTime", time)
              .append(
                  "signature",
                  new Document("hash", new BinData(ZERO_HASH.clone())).append("keyId", 0L)));
      Object operationTime =
          reply.containsKey("operationTime") ? reply.remove("operationTime") : time;
      reply.put("operationTime", operationTime);
    }
    return reply;
  }

  private Document dispatch(Channel channel, String db, String command, Document query) {
    String name = command.toLowerCase(Locale.ROOT);
    switch (name) {
      case "startsession":
        return sessions.start();
      case "endsessions", "killsessions":
        sessions.end(query.get(command));
        return ok();
      case "refreshsessions":
        return ok();
      case "killallsessions", "killallsessionsbypattern":
        sessions.endAll();
        return ok();
      case "committransaction", "aborttransaction":
        return finish(channel, name, query);
      default:
        break;
    }
    Document lsid = query.get("lsid") instanceof Document d ? d : null;
    Object txnNumber = query.get("txnNumber");
    if (!query.containsKey("autocommit")) {
      checkSnapshotReadConcern(command, query);
    }
    if (txnNumber != null) {
      Sessions.Session session = transactionalSession(lsid, txnNumber);
      long number = ((Number) txnNumber).longValue();
      if (query.containsKey("autocommit")) {
        if (Utils.isTrue(query.get("autocommit"))) {
          throw new CommandError(72, "InvalidOptions", "autocommit must be false");
        }
        Transaction transaction =
            session.transactionFor(number, Utils.isTrue(query.get("startTransaction")));
        return transactions.run(transaction, channel, db, command, query);
      }
      Document retried = session.retryableWrite(number);
      if (retried != null) {
        return retried;
      }
      Document reply = plain(channel, db, command, query);
      session.wrote(number, reply);
      return reply;
    }
    if (lsid != null) {
      sessions.session(lsid);
    }
    return plain(channel, db, command, query);
  }

  /**
   * Outside a transaction MongoDB 5.0+ takes {@code readConcern: {level: "snapshot"}} on {@code
   * find}, {@code aggregate} and {@code distinct} only (it reads them at one point in time; this
   * server reads the latest data); every other command refuses it.
   */
  private static void checkSnapshotReadConcern(String command, Document query) {
    if (query.get("readConcern") instanceof Document readConcern
        && "snapshot".equals(readConcern.get("level"))
        && !SNAPSHOT_READS.contains(command.toLowerCase(Locale.ROOT))) {
      throw new CommandError(
          72,
          "InvalidOptions",
          "Command "
              + command
              + " does not support { readConcern: { level: \"snapshot\" } } :: caused by :: read"
              + " concern not supported");
    }
  }

  /**
   * A replica-set member's {@code writeConcernError} for a write concern one member cannot satisfy
   * ({@code w} above 1, or a tag set): the command ran, as on MongoDB.
   */
  private Document withWriteConcernError(Document reply, Document query) {
    ReplicaSetMember current = member.get();
    if (current == null
        || !current.initiated()
        || !Utils.isTrue(reply.get("ok"))
        || reply.containsKey("writeConcernError")
        || !(query.get("writeConcern") instanceof Document writeConcern)) {
      return reply;
    }
    Object w = writeConcern.get("w");
    if (w instanceof Number n && n.intValue() > 1) {
      reply.put(
          "writeConcernError",
          new Document("code", 100)
              .append("codeName", "UnsatisfiableWriteConcern")
              .append("errmsg", "Not enough data-bearing nodes")
              .append("errInfo", new Document("writeConcern", writeConcern)));
    } else if (w instanceof String mode && !mode.equals("majority")) {
      reply.put(
          "writeConcernError",
          new Document("code", 79)
              .append("codeName", "UnknownReplWriteConcern")
              .append("errmsg", "No write concern mode named '" + mode + "' found in replica set")
              .append("errInfo", new Document("writeConcern", writeConcern)));
    }
    return reply;
  }

  private Document plain(Channel channel, String db, String command, Document query) {
    lock.readLock().lock();
    try {
      return storage.execute(channel, db, command, query);
    } finally {
      lock.readLock().unlock();
    }
  }

  private Document finish(Channel channel, String name, Document query) {
    Document lsid = query.get("lsid") instanceof Document d ? d : null;
    Object txnNumber = query.get("txnNumber");
    if (txnNumber == null) {
      throw new CommandError(
          50768, "Location50768", "'" + name + "' must be run with a transaction number");
    }
    Sessions.Session session = transactionalSession(lsid, txnNumber);
    Transaction transaction = session.current(((Number) txnNumber).longValue());
    if (name.equals("committransaction")) {
      Long commitTime = transactions.commit(transaction, channel);
      Document reply = ok();
      if (commitTime != null) {
        // the events' clusterTime: startAtOperationTime with it shows the whole transaction
        reply.put("operationTime", ClusterTime.toTimestamp(commitTime));
      }
      return reply;
    }
    switch (transaction.state()) {
      case IN_PROGRESS:
        transaction.abort();
        return ok();
      case COMMITTED:
        throw new CommandError(
            256,
            "TransactionCommitted",
            "Transaction " + transaction.txnNumber() + " has been committed.");
      default:
        throw CommandError.noSuchTransaction(
            "Transaction with { txnNumber: " + transaction.txnNumber() + " } has been aborted.");
    }
  }

  private Sessions.Session transactionalSession(Document lsid, Object txnNumber) {
    ReplicaSetMember current = member.get();
    if (current == null || !current.initiated()) {
      throw new CommandError(
          20,
          "IllegalOperation",
          "Transaction numbers are only allowed on a replica set member or mongos");
    }
    if (lsid == null) {
      throw new CommandError(
          72, "InvalidOptions", "Transaction number requires a session ID to also be specified");
    }
    if (!(txnNumber instanceof Number)) {
      throw new CommandError(14, "TypeMismatch", "txnNumber must be a number");
    }
    return sessions.session(lsid);
  }

  private static Document ok() {
    Document reply = new Document();
    Utils.markOkay(reply);
    return reply;
  }

  static Document errorReply(MongoServerException e) {
    Document reply = new Document("ok", 0.0).append("errmsg", e.getMessageWithoutErrorCode());
    if (e instanceof MongoServerError error) {
      reply.put("code", error.getCode());
      reply.putIfNotNull("codeName", error.getCodeName());
    }
    if (e instanceof CommandError error && !error.labels().isEmpty()) {
      reply.put("errorLabels", error.labels());
    }
    return reply;
  }
}
