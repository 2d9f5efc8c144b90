package io.changecast.local.internal;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.Marker;

/**
 * What {@code ./changecast local} shows on its console: errors, and Changecast's own warnings.
 * Warnings of the embedded parts (a Kafka broker and worker starting up warn about their
 * single-node settings) and every INFO line go to the log file only, as does an event marked
 * {@value #FILE_ONLY} (a failure the console already summarised in one line).
 */
public final class ConsoleFilter extends Filter<ILoggingEvent> {

  /** The marker of events for the log file only. */
  public static final String FILE_ONLY = "FILE_ONLY";

  private static final String OWN_LOGGERS = "io.changecast.";

  @Override
  public FilterReply decide(ILoggingEvent event) {
    if (event.getMarkerList() != null) {
      for (Marker marker : event.getMarkerList()) {
        if (marker.contains(FILE_ONLY)) {
          return FilterReply.DENY;
        }
      }
    }
    Level level = event.getLevel();
    if (level.isGreaterOrEqual(Level.ERROR)) {
      return FilterReply.NEUTRAL;
    }
    if (level.isGreaterOrEqual(Level.WARN) && event.getLoggerName().startsWith(OWN_LOGGERS)) {
      return FilterReply.NEUTRAL;
    }
    return FilterReply.DENY;
  }
}
