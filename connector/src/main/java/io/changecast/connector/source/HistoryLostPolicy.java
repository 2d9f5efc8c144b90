package io.changecast.connector.source;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * What the Changecast source task does after it has announced that the change-stream history it
 * needed to resume is gone ({@code ChangeStreamHistoryLost}, error 286): the value of {@value
 * ChangecastSourceConfig#HISTORY_LOST_POLICY_CONFIG}.
 */
public enum HistoryLostPolicy {
  /** Fail the task; an operator decides (the control record has been written first). */
  FAIL("fail"),
  /** Forget the stored resume token and open the change stream at the current time. */
  RESTART_FROM_NOW("restart-from-now"),
  /** Forget the stored resume token, copy the existing documents, then stream. */
  COPY_EXISTING("copy-existing");

  private final String value;

  HistoryLostPolicy(String value) {
    this.value = value;
  }

  /** The configuration value, e.g. {@code restart-from-now}. */
  public String value() {
    return value;
  }

  /** Every configuration value, in declaration order: {@code [fail, restart-from-now, …]}. */
  public static String joined(String separator) {
    return Arrays.stream(values())
        .map(HistoryLostPolicy::value)
        .collect(Collectors.joining(separator));
  }

  /**
   * The policy named {@code value} (case-insensitive, surrounding blanks ignored).
   *
   * @throws IllegalArgumentException naming the accepted values and what was found
   */
  public static HistoryLostPolicy parse(String value) {
    String wanted = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
    for (HistoryLostPolicy policy : values()) {
      if (policy.value.equals(wanted)) {
        return policy;
      }
    }
    throw new IllegalArgumentException(
        "must be one of ["
            + joined(", ")
            + "], found: "
            + (value == null ? "null" : "'" + value + "'"));
  }

  @Override
  public String toString() {
    return value;
  }
}
