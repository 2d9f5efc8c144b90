package io.changecast.embedded.mongo.internal;

import de.bwaldvogel.mongo.exception.MongoServerError;
import java.util.List;

/** A command error with MongoDB's code, code name and error labels. */
final class CommandError extends MongoServerError {

  private static final long serialVersionUID = 1L;

  /** MongoDB's label for an error after which the whole transaction may be retried. */
  static final String TRANSIENT_TRANSACTION_ERROR = "TransientTransactionError";

  private final List<String> labels;

  CommandError(int code, String codeName, String message, List<String> labels) {
    super(code, codeName, message);
    this.labels = List.copyOf(labels);
  }

  CommandError(int code, String codeName, String message) {
    this(code, codeName, message, List.of());
  }

  /** 251 {@code NoSuchTransaction}, labelled {@code TransientTransactionError} as MongoDB does. */
  static CommandError noSuchTransaction(String message) {
    return new CommandError(
        251, "NoSuchTransaction", message, List.of(TRANSIENT_TRANSACTION_ERROR));
  }

  /** 112 {@code WriteConflict}, labelled {@code TransientTransactionError}. */
  static CommandError writeConflict(String message) {
    return new CommandError(112, "WriteConflict", message, List.of(TRANSIENT_TRANSACTION_ERROR));
  }

  List<String> labels() {
    return labels;
  }
}
