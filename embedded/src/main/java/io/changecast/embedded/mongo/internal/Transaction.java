package io.changecast.embedded.mongo.internal;

import de.bwaldvogel.mongo.bson.Document;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A multi-document transaction: the writes it has made so far (applied for real only at commit),
 * and its state. Its methods synchronise on it.
 */
final class Transaction {

  /** Where a transaction is in its life. */
  enum State {
    IN_PROGRESS,
    COMMITTED,
    ABORTED
  }

  /**
   * One write of the transaction and what the client was told it did.
   *
   * @param db the database
   * @param command the command name
   * @param query the command document
   * @param outcome the counts of its reply ({@link TransactionRunner#outcome})
   */
  record Write(String db, String command, Document query, Document outcome) {}

  /** A document a transaction has written: MongoDB's write lock on it lasts until commit/abort. */
  record DocumentKey(String db, String coll, Object id) {}

  private final Document lsid;
  private final long txnNumber;
  private final Instant startedAt;
  private final List<Write> writes = new ArrayList<>();
  private final Set<DocumentKey> written = new HashSet<>();
  private State state = State.IN_PROGRESS;

  Transaction(Document lsid, long txnNumber, Instant startedAt) {
    this.lsid = lsid;
    this.txnNumber = txnNumber;
    this.startedAt = startedAt;
  }

  Document lsid() {
    return lsid;
  }

  long txnNumber() {
    return txnNumber;
  }

  Instant startedAt() {
    return startedAt;
  }

  synchronized State state() {
    return state;
  }

  synchronized List<Write> writes() {
    return List.copyOf(writes);
  }

  synchronized void add(Write write, Set<DocumentKey> documents) {
    writes.add(write);
    written.addAll(documents);
  }

  /** Whether this transaction, in progress, has written one of {@code documents}. */
  synchronized boolean wroteAny(Set<DocumentKey> documents) {
    return state == State.IN_PROGRESS && documents.stream().anyMatch(written::contains);
  }

  synchronized void abort() {
    if (state == State.IN_PROGRESS) {
      state = State.ABORTED;
      writes.clear();
      written.clear();
    }
  }

  synchronized void committed() {
    state = State.COMMITTED;
    writes.clear();
    written.clear();
  }
}
