package io.changecast.embedded.mongo.internal;

import de.bwaldvogel.mongo.bson.Document;
import java.time.Instant;

/**
 * One retained change, as captured when the write happened. Documents are private deep copies.
 *
 * @param time cluster time (packed BSON timestamp), unique and strictly increasing
 * @param wallTime wall-clock time of the write
 * @param type the operation
 * @param db database name
 * @param coll collection name
 * @param documentId the {@code _id} of the changed document ({@code null} for drops)
 * @param postImage the document after the change (inserts, updates, replaces)
 * @param preImage the document before the change (updates, replaces, deletes)
 * @param updateDescription {@code updatedFields}/{@code removedFields}/{@code truncatedArrays}
 *     (updates only)
 * @param transaction the multi-document transaction the change was committed in, or {@code null}
 */
record ChangeEvent(
    long time,
    Instant wallTime,
    ChangeType type,
    String db,
    String coll,
    Object documentId,
    Document postImage,
    Document preImage,
    Document updateDescription,
    Transaction transaction) {

  /**
   * Where a change committed by a transaction came from.
   *
   * @param lsid the session's {@code lsid} as change events show it ({@code id} and {@code uid})
   * @param txnNumber the transaction number
   * @param commitTime the cluster time of the commit, shared by every change of the transaction
   * @param opIndex the change's position within the transaction (MongoDB's {@code txnOpIndex})
   */
  record Transaction(Document lsid, long txnNumber, long commitTime, int opIndex) {}

  /** The {@code clusterTime} events show: the commit's for a transaction, else {@link #time}. */
  long clusterTime() {
    return transaction == null ? time : transaction.commitTime();
  }

  /** This change as committed at position {@code time} by {@code transaction}. */
  ChangeEvent committed(long time, Instant wallTime, Transaction transaction) {
    return new ChangeEvent(
        time,
        wallTime,
        type,
        db,
        coll,
        documentId,
        postImage,
        preImage,
        updateDescription,
        transaction);
  }
}
