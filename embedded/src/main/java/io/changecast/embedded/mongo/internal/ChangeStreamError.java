package io.changecast.embedded.mongo.internal;

import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.exception.MongoServerError;
import de.bwaldvogel.mongo.exception.MongoServerException;
import java.util.List;

/**
 * The error replies of change-stream commands, with the {@code errorLabels} MongoDB adds: codes of
 * its {@code NonResumableChangeStreamError} category (ChangeStreamFatalError 280,
 * ChangeStreamHistoryLost 286) carry that label; other errors carry none.
 */
final class ChangeStreamError {

  static final int FATAL = 280;
  static final int HISTORY_LOST = 286;
  static final String NON_RESUMABLE = "NonResumableChangeStreamError";

  private ChangeStreamError() {}

  /** ChangeStreamFatalError (280). */
  static MongoServerError fatal(String message) {
    return new MongoServerError(FATAL, "ChangeStreamFatalError", message);
  }

  /** The reply document for {@code e}, as MongoDB sends it. */
  static Document reply(MongoServerException e) {
    Document reply = CommandDispatcher.errorReply(e);
    if (e instanceof MongoServerError error
        && (error.getCode() == FATAL || error.getCode() == HISTORY_LOST)) {
      reply.put("errorLabels", List.of(NON_RESUMABLE));
    }
    return reply;
  }
}
