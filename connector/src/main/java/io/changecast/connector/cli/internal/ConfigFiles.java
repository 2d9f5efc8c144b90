package io.changecast.connector.cli.internal;

import io.changecast.connector.config.ConnectorConfigFile;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads the connector config files named on the command line. */
public final class ConfigFiles {

  private ConfigFiles() {}

  /**
   * Reads a config file.
   *
   * @throws Args.UsageException when the file does not exist or cannot be read (exit 2)
   * @throws InvalidFile when it is not a Connect REST body (exit 1)
   */
  static ConnectorConfigFile read(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new Args.UsageException(file + ": no such file");
    }
    try {
      return ConnectorConfigFile.read(file);
    } catch (UncheckedIOException e) {
      throw new Args.UsageException(e.getMessage() + ": " + e.getCause().getMessage());
    } catch (IllegalArgumentException e) {
      throw new InvalidFile(e.getMessage());
    }
  }

  /** A config file that is not a Connect REST body {@code {"name", "config"}}. */
  public static final class InvalidFile extends RuntimeException {
    private static final long serialVersionUID = 1L;

    InvalidFile(String message) {
      super(message);
    }
  }
}
