package io.changecast.edge.internal.log;

/** The event log cannot be read right now (not yet restored, or stopped). */
public final class EventLogUnavailableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public EventLogUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
