package io.changecast.embedded.mongo.internal;

import de.bwaldvogel.mongo.bson.Document;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

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

  private final Document lsid;
  private final long txnNumber;
  private final Instant startedAt;
  private final List<Write> writes = new ArrayList<>();
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

  synchronized void add(Write write) {
    writes.add(write);
  }

  synchronized void abort() {
    if (state == State.IN_PROGRESS) {
      state = State.ABORTED;
      writes.clear();
    }
  }

  synchronized void committed() {
    state = State.COMMITTED;
    writes.clear();
  }
}
