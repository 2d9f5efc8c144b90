package io.changecast.connector.config.internal;

/** How Changecast reads a connector option's string value, written once for every caller. */
public final class ConfigValues {

  private ConfigValues() {}

  /** A boolean option is on: {@code "true"} in any case, around spaces; null is off. */
  public static boolean isTrue(String value) {
    return value != null && "true".equalsIgnoreCase(value.trim());
  }
}
