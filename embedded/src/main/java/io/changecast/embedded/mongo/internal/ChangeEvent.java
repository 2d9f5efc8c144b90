package io.changecast.embedded.mongo.internal;

import de.bwaldvogel.mongo.bson.Document;
import java.time.Instant;
import java.util.UUID;

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
 * @param description the DDL event's {@code operationDescription} (for a rename: {@code to} and,
 *     when the target was replaced, {@code dropTarget}); {@code null} for document changes
 * @param collectionUuid the collection's UUID ({@code null} for dropDatabase)
 * @param transaction the multi-document transaction the change was committed in, or {@code null}
 * @param preImageKept whether change streams may show {@code preImage} (the collection had {@code
 *     changeStreamPreAndPostImages} enabled); a captured, not yet committed change carries its
 *     pre-image regardless, to be undone with it
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
    Document description,
    UUID collectionUuid,
    Transaction transaction,
    boolean preImageKept) {

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

  /**
   * This change as committed at position {@code time}, by {@code transaction} ({@code null} for a
   * write outside one), its pre-image kept only where change streams may show it.
   */
  ChangeEvent committed(long time, Instant wallTime, Transaction transaction) {
    return new ChangeEvent(
        time,
        wallTime,
        type,
        db,
        coll,
        documentId,
        postImage,
        preImageKept ? preImage : null,
        updateDescription,
        description,
        collectionUuid,
        transaction,
        preImageKept);
  }
}
