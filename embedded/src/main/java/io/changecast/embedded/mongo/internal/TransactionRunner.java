package io.changecast.embedded.mongo.internal;

import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.backend.ArrayFilters;
import de.bwaldvogel.mongo.backend.Utils;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.bson.ObjectId;
import de.bwaldvogel.mongo.oplog.NoopOplog;
import io.netty.channel.Channel;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.locks.ReadWriteLock;

/**
 * Runs the commands of multi-document transactions. A transaction's writes are kept, not applied:
 * each command of the transaction runs (under the server's exclusive lock, so no other command sees
 * it) on the committed data with the transaction's earlier writes re-applied, which gives it the
 * transaction's own writes to read and MongoDB's own reply; then everything is undone from the
 * captured before-images. {@code commitTransaction} applies the writes for real under the same lock
 * and appends their change events as one batch ({@link ChangeHistory#appendTransaction}); a write
 * whose outcome differs from what the client was told (a concurrent write got in between) fails the
 * commit with {@code WriteConflict}, undoing it.
 */
final class TransactionRunner {

  /** The data the commands run on. */
  interface Storage {

    /** Runs a command, without session or transaction handling. */
    Document execute(Channel channel, String db, String command, Document query);

    /** The collection, or {@code null} when it does not exist. */
    MongoCollection<?> collection(String db, String coll);

    boolean databaseExists(String db);

    void dropCollection(String db, String coll);

    void dropDatabase(String db);
  }

  private static final Set<String> WRITES =
      Set.of("insert", "update", "delete", "findandmodify", "create", "createindexes");
  private static final Set<String> READS = Set.of("find", "aggregate", "distinct");
  private static final Set<String> CURSORS = Set.of("getmore", "killcursors");
  private static final Set<String> INTERNAL_DATABASES = Set.of("admin", "config", "local");

  private final Storage storage;
  private final ChangeHistory history;
  private final ReadWriteLock lock;

  TransactionRunner(Storage storage, ChangeHistory history, ReadWriteLock lock) {
    this.storage = storage;
    this.history = history;
    this.lock = lock;
  }

  /** Runs {@code command} in {@code transaction}; an error aborts the transaction. */
  Document run(
      Transaction transaction, Channel channel, String db, String command, Document query) {
    String name = command.toLowerCase(Locale.ROOT);
    try {
      if (CURSORS.contains(name)) {
        return storage.execute(channel, db, command, query);
      }
      check(db, name, command, query);
      if (name.equals("createindexes")
          && storage.collection(db, String.valueOf(query.get(command))) != null
          && !createdEarlier(transaction, db, query.get(command))) {
        // as MongoDB: only on a collection that does not exist yet or that this transaction created
        throw new CommandError(
            263,
            "OperationNotSupportedInTransaction",
            "Cannot run '"
                + command
                + "' on existing collection "
                + db
                + "."
                + query.get(command)
                + " inside a multi-document transaction.");
      }
      if (name.equals("insert")) {
        addMissingIds(query);
      }
      Document reply = tryOut(transaction, channel, db, command, query);
      if (WRITES.contains(name)) {
        if (failed(reply)) {
          transaction.abort();
        } else {
          transaction.add(new Transaction.Write(db, command, query, outcome(reply)));
        }
      }
      return reply;
    } catch (RuntimeException e) {
      transaction.abort();
      throw e;
    }
  }

  /**
   * Applies {@code transaction}'s writes and appends their events; idempotent once committed.
   * Returns the commit's cluster time (the events'), or {@code null} when it wrote nothing now.
   */
  Long commit(Transaction transaction, Channel channel) {
    lock.writeLock().lock();
    try {
      switch (transaction.state()) {
        case COMMITTED:
          return null;
        case ABORTED:
          throw CommandError.noSuchTransaction(
              "Transaction with { txnNumber: " + transaction.txnNumber() + " } has been aborted.");
        default:
          break;
      }
      List<Transaction.Write> writes = transaction.writes();
      Set<String> missing = missingNamespaces(writes);
      List<ChangeEvent> changes = new ArrayList<>();
      String conflict = history.capture(changes, () -> apply(writes, channel));
      if (conflict != null) {
        undo(changes, missing);
        transaction.abort();
        throw CommandError.writeConflict(conflict);
      }
      Long commitTime =
          changes.isEmpty()
              ? null
              : history.appendTransaction(
                  changes, Sessions.eventLsid(transaction.lsid()), transaction.txnNumber());
      transaction.committed();
      return commitTime;
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** Runs {@code query} on the data as the transaction sees it, then undoes everything. */
  private Document tryOut(
      Transaction transaction, Channel channel, String db, String command, Document query) {
    lock.writeLock().lock();
    try {
      List<Transaction.Write> writes = new ArrayList<>(transaction.writes());
      writes.add(new Transaction.Write(db, command, query, null));
      Set<String> missing = missingNamespaces(writes);
      List<ChangeEvent> changes = new ArrayList<>();
      try {
        return history.capture(
            changes,
            () -> {
              apply(writes.subList(0, writes.size() - 1), channel);
              return storage.execute(channel, db, command, query.cloneDeeply()).cloneDeeply();
            });
      } finally {
        undo(changes, missing);
      }
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** Re-applies {@code writes}; the first whose outcome changed, described, or {@code null}. */
  private String apply(List<Transaction.Write> writes, Channel channel) {
    for (Transaction.Write write : writes) {
      Document reply;
      try {
        reply = storage.execute(channel, write.db(), write.command(), write.query().cloneDeeply());
      } catch (RuntimeException e) {
        return "a concurrent write conflicts with the transaction: " + e.getMessage();
      }
      if (write.outcome() != null && !outcome(reply).equals(write.outcome())) {
        return "a concurrent write conflicts with the transaction's "
            + write.command()
            + " on "
            + write.db()
            + "."
            + write.query().get(write.command());
      }
    }
    return null;
  }

  /** Reverts {@code changes} (newest first) and drops what they created, leaving no events. */
  private void undo(List<ChangeEvent> changes, Set<String> missing) {
    history.capture(
        new ArrayList<>(),
        () -> {
          for (int i = changes.size() - 1; i >= 0; i--) {
            revert(changes.get(i));
          }
          for (String namespace : missing) {
            int dot = namespace.indexOf('.');
            String db = namespace.substring(0, dot);
            if (dot == namespace.length() - 1) {
              if (storage.databaseExists(db)) {
                storage.dropDatabase(db);
              }
            } else if (storage.collection(db, namespace.substring(dot + 1)) != null) {
              storage.dropCollection(db, namespace.substring(dot + 1));
            }
          }
          return null;
        });
  }

  private void revert(ChangeEvent change) {
    MongoCollection<?> collection = storage.collection(change.db(), change.coll());
    if (collection == null) {
      return;
    }
    Document byId = new Document("_id", change.documentId());
    switch (change.type()) {
      case INSERT -> collection.deleteDocuments(byId, 1, NoopOplog.get());
      case UPDATE, REPLACE ->
          collection.updateDocuments(
              byId,
              change.preImage().cloneDeeply(),
              ArrayFilters.empty(),
              false,
              false,
              NoopOplog.get());
      case DELETE -> collection.insertDocuments(List.of(change.preImage().cloneDeeply()), true);
      default -> {
        // no document to restore
      }
    }
  }

  /**
   * The namespaces ({@code db.coll}, and {@code db.} for a database) the writes name that do not
   * exist yet: an undo drops them again.
   */
  private Set<String> missingNamespaces(List<Transaction.Write> writes) {
    Set<String> missing = new LinkedHashSet<>();
    for (Transaction.Write write : writes) {
      if (!storage.databaseExists(write.db())) {
        missing.add(write.db() + ".");
      }
      if (write.query().get(write.command()) instanceof String coll
          && storage.collection(write.db(), coll) == null) {
        missing.add(write.db() + "." + coll);
      }
    }
    // collections before their database
    List<String> ordered = new ArrayList<>(missing);
    ordered.sort((a, b) -> Boolean.compare(a.endsWith("."), b.endsWith(".")));
    return new LinkedHashSet<>(ordered);
  }

  private static boolean createdEarlier(Transaction transaction, String db, Object coll) {
    return transaction.writes().stream()
        .anyMatch(
            w ->
                w.db().equals(db)
                    && w.command().equalsIgnoreCase("create")
                    && coll.equals(w.query().get(w.command())));
  }

  private static void check(String db, String name, String command, Document query) {
    if (!WRITES.contains(name) && !READS.contains(name)) {
      throw new CommandError(
          263,
          "OperationNotSupportedInTransaction",
          "Cannot run '" + command + "' in a multi-document transaction.");
    }
    if (name.equals("aggregate")
        && query.get("pipeline") instanceof List<?> pipeline
        && pipeline.stream()
            .anyMatch(
                stage ->
                    stage instanceof Document d
                        && (d.containsKey("$out")
                            || d.containsKey("$merge")
                            || d.containsKey("$changeStream")))) {
      throw new CommandError(
          263,
          "OperationNotSupportedInTransaction",
          "$out, $merge and $changeStream are not allowed in a multi-document transaction.");
    }
    if (INTERNAL_DATABASES.contains(db)
        || (query.get(command) instanceof String coll && coll.startsWith("system."))) {
      throw new CommandError(
          263,
          "OperationNotSupportedInTransaction",
          "Cannot run command against the '"
              + db
              + "."
              + query.get(command)
              + "' collection in a transaction.");
    }
  }

  /** Gives documents without {@code _id} one, so re-applying an insert inserts the same ids. */
  private static void addMissingIds(Document query) {
    if (query.get("documents") instanceof List<?> documents) {
      for (Object element : documents) {
        if (element instanceof Document document && !document.containsKey("_id")) {
          Document withId = new Document("_id", new ObjectId());
          withId.putAll(document);
          document.clear();
          document.putAll(withId);
        }
      }
    }
  }

  private static boolean failed(Document reply) {
    return !Utils.isTrue(reply.get("ok"))
        || (reply.get("writeErrors") instanceof List<?> errors && !errors.isEmpty());
  }

  /** What a write's reply says it did: the counts a re-application must reproduce. */
  static Document outcome(Document reply) {
    Document outcome = new Document();
    for (String key : List.of("n", "nModified")) {
      if (reply.get(key) instanceof Number n) {
        outcome.put(key, n.longValue());
      }
    }
    if (reply.get("upserted") instanceof List<?> upserted) {
      outcome.put("upserted", (long) upserted.size());
    }
    if (reply.get("lastErrorObject") instanceof Document last) {
      outcome.put("found", last.get("n") instanceof Number n ? n.longValue() : 0L);
      outcome.put("updatedExisting", Utils.isTrue(last.get("updatedExisting")));
    }
    if (reply.containsKey("value")) {
      outcome.put("value", reply.get("value") != null);
    }
    outcome.put("failed", failed(reply));
    return outcome;
  }
}
