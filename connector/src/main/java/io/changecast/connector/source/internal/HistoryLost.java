package io.changecast.connector.source.internal;

import com.mongodb.MongoException;
import java.util.Optional;

/** Recognizes MongoDB's {@code ChangeStreamHistoryLost} (286) in an exception's cause chain. */
public final class HistoryLost {

  /** MongoDB's error code for a resume point that is no longer in the oplog. */
  public static final int CODE = 286;

  private static final int MAX_DEPTH = 16;

  private HistoryLost() {}

  /** The MongoDB error with code 286 that caused {@code failure}, if any. */
  public static Optional<MongoException> in(Throwable failure) {
    Throwable t = failure;
    for (int depth = 0; t != null && depth < MAX_DEPTH; depth++, t = t.getCause()) {
      if (t instanceof MongoException mongo && mongo.getCode() == CODE) {
        return Optional.of(mongo);
      }
    }
    return Optional.empty();
  }
}
