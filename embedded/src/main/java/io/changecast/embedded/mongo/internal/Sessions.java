package io.changecast.embedded.mongo.internal;

import de.bwaldvogel.mongo.bson.BinData;
import de.bwaldvogel.mongo.bson.Document;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The server's logical sessions, keyed by {@code lsid.id}: each holds its highest {@code
 * txnNumber}, its current multi-document transaction and the reply of its last retryable write.
 * Sessions idle longer than {@code logicalSessionTimeoutMinutes} are forgotten.
 */
final class Sessions {

  /** MongoDB's {@code transactionLifetimeLimitSeconds}: older transactions are aborted. */
  static final Duration TRANSACTION_LIFETIME = Duration.ofSeconds(60);

  private static final Duration SESSION_TIMEOUT =
      Duration.ofMinutes(ServerIdentity.SESSION_TIMEOUT_MINUTES);
  private static final int PRUNE_ABOVE = 1_000;

  /** The {@code uid} of the unauthenticated user: SHA-256 of the empty user name. */
  private static final byte[] ANONYMOUS_UID = sha256("");

  private final Clock clock;
  private final ConcurrentMap<Object, Session> sessions = new ConcurrentHashMap<>();

  Sessions(Clock clock) {
    this.clock = clock;
  }

  /** {@code startSession}. */
  Document start() {
    Document id = new Document("id", UUID.randomUUID());
    session(id);
    return new Document("id", id)
        .append("timeoutMinutes", ServerIdentity.SESSION_TIMEOUT_MINUTES)
        .append("ok", 1.0);
  }

  /** The session {@code lsid} names, created on first use. */
  Session session(Document lsid) {
    Object key = lsid.get("id");
    if (key == null) {
      throw new CommandError(40414, "Location40414", "BSON field 'lsid.id' is missing");
    }
    if (sessions.size() > PRUNE_ABOVE) {
      Instant cutoff = clock.instant().minus(SESSION_TIMEOUT);
      sessions.values().removeIf(s -> s.idleSince(cutoff));
    }
    Session session = sessions.computeIfAbsent(key, k -> new Session(lsid));
    session.touch(clock.instant());
    return session;
  }

  /**
   * {@code endSessions}/{@code killSessions}: forgets the sessions whose {@code lsid}s are listed,
   * aborting their transactions in progress; returns the aborted ones.
   */
  List<Transaction> end(Object lsids) {
    List<Transaction> aborted = new ArrayList<>();
    if (lsids instanceof List<?> list) {
      for (Object element : list) {
        if (element instanceof Document lsid && lsid.get("id") != null) {
          Session removed = sessions.remove(lsid.get("id"));
          if (removed != null) {
            removed.abortInProgress(aborted);
          }
        }
      }
    }
    return aborted;
  }

  /** {@code killAllSessions}: forgets every session. */
  List<Transaction> endAll() {
    List<Transaction> aborted = new ArrayList<>();
    sessions.values().forEach(s -> s.abortInProgress(aborted));
    sessions.clear();
    return aborted;
  }

  /** {@code lsid} as change events show it: the client's {@code id} and the user's {@code uid}. */
  static Document eventLsid(Document lsid) {
    return new Document("id", lsid.get("id")).append("uid", new BinData(ANONYMOUS_UID.clone()));
  }

  private static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** One logical session. Its methods synchronise on it. */
  final class Session {

    private final Document lsid;
    private Instant lastUse;
    private long highestTxnNumber = -1;
    private Transaction transaction;
    private long retriedTxnNumber = -1;
    private Document retriedReply;

    private Session(Document lsid) {
      this.lsid = new Document("id", lsid.get("id"));
    }

    private synchronized void touch(Instant now) {
      lastUse = now;
    }

    private synchronized boolean idleSince(Instant cutoff) {
      return lastUse.isBefore(cutoff)
          && (transaction == null || transaction.state() != Transaction.State.IN_PROGRESS);
    }

    Document lsid() {
      return lsid;
    }

    /**
     * The transaction a command with {@code txnNumber} and {@code autocommit: false} runs in: a new
     * one with {@code startTransaction}, else the one in progress; errors as MongoDB's.
     */
    synchronized Transaction transactionFor(long txnNumber, boolean startTransaction) {
      checkNotTooOld(txnNumber);
      if (startTransaction) {
        if (txnNumber == highestTxnNumber) {
          throw new CommandError(
              117,
              "ConflictingOperationInProgress",
              "Cannot start transaction "
                  + txnNumber
                  + " on session because a transaction with the same number has already"
                  + " started");
        }
        abortInProgress(new ArrayList<>());
        highestTxnNumber = txnNumber;
        transaction = new Transaction(lsid, txnNumber, clock.instant());
        return transaction;
      }
      Transaction current = current(txnNumber);
      switch (current.state()) {
        case IN_PROGRESS:
          return current;
        case COMMITTED:
          throw new CommandError(
              256, "TransactionCommitted", "Transaction " + txnNumber + " has been committed.");
        default:
          throw CommandError.noSuchTransaction(
              "Transaction with { txnNumber: " + txnNumber + " } has been aborted.");
      }
    }

    /** The transaction {@code commitTransaction}/{@code abortTransaction} names. */
    synchronized Transaction current(long txnNumber) {
      checkNotTooOld(txnNumber);
      if (transaction == null || transaction.txnNumber() != txnNumber) {
        throw CommandError.noSuchTransaction(
            "Given transaction number "
                + txnNumber
                + " does not match any in-progress transactions. The active transaction number is "
                + highestTxnNumber);
      }
      if (transaction.state() == Transaction.State.IN_PROGRESS
          && transaction.startedAt().plus(TRANSACTION_LIFETIME).isBefore(clock.instant())) {
        transaction.abort();
      }
      return transaction;
    }

    /**
     * For a retryable write with {@code txnNumber}: the reply of its first execution when this is a
     * retry, else {@code null} (and a newer transaction aborts the one in progress).
     */
    synchronized Document retryableWrite(long txnNumber) {
      checkNotTooOld(txnNumber);
      if (txnNumber == retriedTxnNumber && retriedReply != null) {
        return retriedReply.cloneDeeply();
      }
      if (txnNumber > highestTxnNumber) {
        abortInProgress(new ArrayList<>());
        highestTxnNumber = txnNumber;
      }
      return null;
    }

    /** Remembers the reply of retryable write {@code txnNumber}, for a retry. */
    synchronized void wrote(long txnNumber, Document reply) {
      retriedTxnNumber = txnNumber;
      retriedReply = reply.cloneDeeply();
    }

    private void checkNotTooOld(long txnNumber) {
      if (txnNumber < highestTxnNumber) {
        throw new CommandError(
            225,
            "TransactionTooOld",
            "Cannot start transaction "
                + txnNumber
                + " on session because a newer transaction "
                + highestTxnNumber
                + " has already started.");
      }
    }

    private synchronized void abortInProgress(List<Transaction> aborted) {
      if (transaction != null && transaction.state() == Transaction.State.IN_PROGRESS) {
        transaction.abort();
        aborted.add(transaction);
      }
    }
  }
}
