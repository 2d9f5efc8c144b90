package io.changecast.connector.config;

import java.nio.file.Path;

/**
 * One finding of {@link ChangecastConfigValidator}: which key, the value found, the value expected
 * and why it matters.
 *
 * @param severity {@link Severity#ERROR} fails validation; {@link Severity#WARNING} is reported
 *     only
 * @param key the configuration key at fault
 * @param found the value found, {@code null} when the key is not set
 * @param expected what Changecast (or the official connector) expects instead
 * @param reason why it matters, or {@code null}
 */
public record ConfigProblem(
    Severity severity, String key, String found, String expected, String reason) {

  /** How serious a problem is. */
  public enum Severity {
    ERROR,
    WARNING
  }

  public static ConfigProblem error(String key, String found, String expected, String reason) {
    return new ConfigProblem(Severity.ERROR, key, found, expected, reason);
  }

  public static ConfigProblem warning(String key, String found, String expected, String reason) {
    return new ConfigProblem(Severity.WARNING, key, found, expected, reason);
  }

  public boolean isError() {
    return severity == Severity.ERROR;
  }

  /**
   * One line naming the file, the key, the value found and the value expected, e.g. {@code
   * app.json: ERROR output.format.value: found "bson", expected "json" (why)}.
   */
  public String render(Path file) {
    return file + ": " + severity + " " + message();
  }

  /**
   * The key, the value found, the value expected and why, e.g. {@code output.format.value: found
   * "bson", expected "json" (why)}: the CLI's line without file and severity, and the connector's
   * {@code ConfigValue} error message.
   */
  public String message() {
    return key
        + ": found "
        + (found == null ? "nothing (not set)" : "\"" + found + "\"")
        + ", expected "
        + expected
        + (reason == null ? "" : " (" + reason + ")");
  }
}
