package io.changecast.local.internal;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.FileAppender;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The log file of this run: the file of logback's {@code FILE} appender ({@code logback.xml}). */
public final class LogFile {

  /** The name of the file appender in {@code logback.xml}. */
  public static final String APPENDER = "FILE";

  private LogFile() {}

  /** The log file's absolute path, or empty when logging is configured without one. */
  public static Optional<Path> path() {
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
      return Optional.empty();
    }
    Appender<ILoggingEvent> appender =
        context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender(APPENDER);
    if (appender instanceof FileAppender<ILoggingEvent> file && file.getFile() != null) {
      return Optional.of(Path.of(file.getFile()).toAbsolutePath());
    }
    return Optional.empty();
  }
}
