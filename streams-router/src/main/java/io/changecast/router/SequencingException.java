package io.changecast.router;

/**
 * The topics' partitioning cannot give each tenant one sequence of ids: a configuration error the
 * router stops on rather than retries.
 */
public final class SequencingException extends IllegalStateException {

  public SequencingException(String message) {
    super(message);
  }

  /** Whether {@code error} or one of its causes is a {@code SequencingException}. */
  public static boolean isCause(Throwable error) {
    for (Throwable e = error; e != null; e = e.getCause()) {
      if (e instanceof SequencingException) {
        return true;
      }
    }
    return false;
  }
}
