package io.changecast.embedded.mongo.internal;

import de.bwaldvogel.mongo.bson.Document;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The error labels a MongoDB 7.0 server puts on an error reply, from the command and the error code
 * alone (MongoDB's {@code ErrorLabelBuilder}): {@code TransientTransactionError} for an error in a
 * transaction that left nothing behind, else {@code RetryableWriteError} for a retryable code on a
 * retryable write or on {@code commitTransaction}/{@code abortTransaction}. Also the code names of
 * the codes a fail point may be armed with.
 */
final class ErrorLabels {

  /** MongoDB's {@code RetriableError} category. */
  private static final Set<Integer> RETRIABLE =
      Set.of(6, 7, 89, 91, 134, 189, 262, 9001, 10107, 11600, 11602, 13435, 13436);

  /** Always transient in a transaction: WriteConflict, LockTimeout, stale routing, snapshot. */
  private static final Set<Integer> TRANSIENT =
      Set.of(112, 24, 267, 249, 13388, 150, 239, 246, 241);

  private static final int NO_SUCH_TRANSACTION = 251;

  private static final Set<String> COMMIT_OR_ABORT =
      Set.of("commitTransaction", "abortTransaction");

  private static final Map<Integer, String> CODE_NAMES =
      Map.ofEntries(
          Map.entry(1, "InternalError"),
          Map.entry(2, "BadValue"),
          Map.entry(6, "HostUnreachable"),
          Map.entry(7, "HostNotFound"),
          Map.entry(8, "UnknownError"),
          Map.entry(11, "UserNotFound"),
          Map.entry(13, "Unauthorized"),
          Map.entry(20, "IllegalOperation"),
          Map.entry(24, "LockTimeout"),
          Map.entry(43, "CursorNotFound"),
          Map.entry(50, "MaxTimeMSExpired"),
          Map.entry(64, "WriteConcernFailed"),
          Map.entry(72, "InvalidOptions"),
          Map.entry(79, "UnknownReplWriteConcern"),
          Map.entry(89, "NetworkTimeout"),
          Map.entry(91, "ShutdownInProgress"),
          Map.entry(100, "UnsatisfiableWriteConcern"),
          Map.entry(112, "WriteConflict"),
          Map.entry(133, "FailedToSatisfyReadPreference"),
          Map.entry(134, "ReadConcernMajorityNotAvailableYet"),
          Map.entry(136, "CappedPositionLost"),
          Map.entry(150, "StaleEpoch"),
          Map.entry(175, "QueryPlanKilled"),
          Map.entry(189, "PrimarySteppedDown"),
          Map.entry(234, "RetryChangeStream"),
          Map.entry(237, "CursorKilled"),
          Map.entry(239, "SnapshotTooOld"),
          Map.entry(246, "SnapshotUnavailable"),
          Map.entry(251, "NoSuchTransaction"),
          Map.entry(256, "TransactionCommitted"),
          Map.entry(262, "ExceededTimeLimit"),
          Map.entry(263, "OperationNotSupportedInTransaction"),
          Map.entry(280, "ChangeStreamFatalError"),
          Map.entry(286, "ChangeStreamHistoryLost"),
          Map.entry(9001, "SocketException"),
          Map.entry(10107, "NotWritablePrimary"),
          Map.entry(11600, "InterruptedAtShutdown"),
          Map.entry(11601, "Interrupted"),
          Map.entry(11602, "InterruptedDueToReplStateChange"),
          Map.entry(13388, "StaleConfig"),
          Map.entry(13435, "NotPrimaryNoSecondaryOk"),
          Map.entry(13436, "NotPrimaryOrSecondary"));

  private ErrorLabels() {}

  /** MongoDB's name of error {@code code}, or {@code null} when this server does not know it. */
  static String codeName(int code) {
    return CODE_NAMES.get(code);
  }

  /**
   * {@code error} (an error reply, or a {@code writeConcernError} when {@code writeConcernError})
   * with the labels MongoDB's rules give its {@code code} in reply to {@code command}, unless it
   * carries labels of its own.
   */
  static Document addTo(Document error, Document command, boolean writeConcernError) {
    if (!(error.get("errorLabels") instanceof List<?>) && error.get("code") instanceof Number n) {
      int code = n.intValue();
      List<String> labels =
          writeConcernError ? labels(command, null, code) : labels(command, code, null);
      if (!labels.isEmpty()) {
        error.put("errorLabels", labels);
      }
    }
    return error;
  }

  /**
   * The labels of error {@code code} (or {@code null} for none) with write concern error {@code
   * writeConcernCode} (or {@code null}) in reply to {@code command}.
   */
  static List<String> labels(Document command, Integer code, Integer writeConcernCode) {
    String name = command.isEmpty() ? "" : command.keySet().iterator().next();
    boolean txnNumber = command.get("txnNumber") != null;
    boolean inTransaction = txnNumber && command.containsKey("autocommit");
    boolean commitOrAbort = COMMIT_OR_ABORT.contains(name);
    List<String> labels = new ArrayList<>();
    if (code != null
        && inTransaction
        && isTransient(code, writeConcernCode != null, commitOrAbort)) {
      labels.add(CommandError.TRANSIENT_TRANSACTION_ERROR);
    } else if ((txnNumber && !inTransaction) || (inTransaction && commitOrAbort)) {
      if ((code != null && RETRIABLE.contains(code))
          || (writeConcernCode != null && RETRIABLE.contains(writeConcernCode))) {
        labels.add("RetryableWriteError");
      }
    }
    return labels;
  }

  private static boolean isTransient(int code, boolean writeConcernError, boolean commitOrAbort) {
    if (TRANSIENT.contains(code)) {
      return true;
    }
    if (commitOrAbort) {
      return code == NO_SUCH_TRANSACTION && !writeConcernError;
    }
    return RETRIABLE.contains(code) || code == NO_SUCH_TRANSACTION;
  }
}
