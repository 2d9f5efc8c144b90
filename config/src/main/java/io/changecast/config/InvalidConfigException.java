package io.changecast.config;

import java.util.Optional;

/**
 * A configuration value refused, in the one format of every Changecast config: {@code Invalid <app>
 * config '<key>': '<value>' (<origin>); <reason>}, where the value is {@code not set} for a missing
 * key and {@code [hidden]} for a secret, the origin ({@code file <path>} or {@code env <VARIABLE>})
 * is left out for values given in code, and the reason usually starts with {@code expected}.
 */
public final class InvalidConfigException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  private final String app;
  private final String key;
  private final String shownValue;
  private final String reason;
  private final String origin;

  private InvalidConfigException(
      String app, String key, String shownValue, String origin, String reason) {
    super(
        "Invalid "
            + app
            + " config '"
            + key
            + "': "
            + shownValue
            + (origin == null ? "" : " (" + origin + ")")
            + "; "
            + reason);
    this.app = app;
    this.key = key;
    this.shownValue = shownValue;
    this.reason = reason;
    this.origin = origin;
  }

  /**
   * {@code value} (shown quoted; {@code null} shows as {@code not set}) refused for {@code key}.
   */
  public static InvalidConfigException of(String app, String key, Object value, String reason) {
    return new InvalidConfigException(app, key, shown(value), null, reason);
  }

  /** A secret value refused for {@code key}: the value shows as {@code [hidden]}. */
  public static InvalidConfigException secret(String app, String key, String reason) {
    return hidden(app, key, null, reason);
  }

  static InvalidConfigException hidden(String app, String key, String origin, String reason) {
    return new InvalidConfigException(app, key, "[hidden]", origin, reason);
  }

  static InvalidConfigException of(
      String app, String key, Object value, String origin, String reason) {
    return new InvalidConfigException(app, key, shown(value), origin, reason);
  }

  /** The key refused. */
  public String key() {
    return key;
  }

  /** Where the value came from, when it came from a file or the environment. */
  public Optional<String> origin() {
    return Optional.ofNullable(origin);
  }

  /** The same refusal, naming where the value came from (unless it already does). */
  public InvalidConfigException withOrigin(String valueOrigin) {
    if (origin != null || valueOrigin == null) {
      return this;
    }
    return new InvalidConfigException(app, key, shownValue, valueOrigin, reason);
  }

  private static String shown(Object value) {
    return value == null ? "not set" : "'" + value + "'";
  }
}
