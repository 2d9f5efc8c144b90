package io.changecast.edge.internal.log;

import io.changecast.edge.internal.HttpError;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Where a subscriber resumes: the {@code Last-Event-ID} header, else the {@code lastEventId} query.
 */
public final class ResumePosition {
  private ResumePosition() {}

  /**
   * The position to resume after, or empty for a live-only stream. The header wins over the query
   * parameter (a browser reconnects with the header and the original URL). An empty value counts as
   * absent; anything but a non-negative decimal integer is an {@link HttpError} (400).
   */
  public static OptionalLong parse(String header, String query) {
    boolean fromHeader = header != null && !header.isEmpty();
    String value = fromHeader ? header : query;
    if (value == null || value.isEmpty()) {
      return OptionalLong.empty();
    }
    Optional<Long> id = parseId(value);
    if (id.isEmpty()) {
      throw HttpError.badRequest(
          "invalid_last_event_id",
          "The "
              + (fromHeader ? "Last-Event-ID header" : "lastEventId query parameter")
              + " must be a non-negative integer (an event id), got '"
              + abbreviate(value)
              + "'");
    }
    return OptionalLong.of(id.get());
  }

  /** A decimal id ({@code 0} to {@link Long#MAX_VALUE}, digits only), or empty. */
  public static Optional<Long> parseId(String text) {
    if (text == null || text.isEmpty() || text.length() > 19) {
      return Optional.empty();
    }
    for (int index = 0; index < text.length(); index++) {
      char c = text.charAt(index);
      if (c < '0' || c > '9') {
        return Optional.empty();
      }
    }
    try {
      return Optional.of(Long.parseLong(text));
    } catch (NumberFormatException overflow) {
      return Optional.empty();
    }
  }

  private static String abbreviate(String value) {
    return value.length() <= 40 ? value : value.substring(0, 40) + "...";
  }
}
