package io.changecast.edge.auth;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** How the edge authenticates requests to tenant routes. */
public enum AuthMode {
  /** No authentication: every tenant stream is open to anyone who can reach the port (dev only). */
  NONE,
  /** Bearer JWTs (HS256, RS256 or a JWKS) whose tenant claim must match the path's tenant. */
  JWT;

  /**
   * Parses a config value ({@code none}, {@code jwt}); anything else is an {@link
   * IllegalArgumentException}.
   */
  public static AuthMode parse(String value) {
    for (AuthMode mode : values()) {
      if (mode.configValue().equals(value.trim().toLowerCase(Locale.ROOT))) {
        return mode;
      }
    }
    throw new IllegalArgumentException(
        "auth.mode: unsupported value '"
            + value
            + "'; this build supports: "
            + Arrays.stream(values()).map(AuthMode::configValue).collect(Collectors.joining(", ")));
  }

  /** The value as written in configuration. */
  public String configValue() {
    return name().toLowerCase(Locale.ROOT);
  }
}
