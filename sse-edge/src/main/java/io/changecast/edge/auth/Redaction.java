package io.changecast.edge.auth;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** Removes tokens from text that may be logged, such as a request's query string. */
public final class Redaction {
  /** What a redacted value reads as. */
  public static final String REDACTED = "[redacted]";

  private Redaction() {}

  /**
   * The query string with the value of every {@code access_token} parameter replaced (names are
   * compared decoded and ignoring case, as a server may read {@code access%5Ftoken} as the same
   * parameter); null stays null.
   */
  public static String query(String query) {
    if (query == null || query.isEmpty()) {
      return query;
    }
    StringBuilder out = new StringBuilder(query.length());
    int start = 0;
    while (start <= query.length()) {
      int end = nextSeparator(query, start);
      String pair = query.substring(start, end);
      int equals = pair.indexOf('=');
      String name = equals < 0 ? pair : pair.substring(0, equals);
      if (isTokenParameter(name)) {
        out.append(name).append('=').append(REDACTED);
      } else {
        out.append(pair);
      }
      if (end < query.length()) {
        out.append(query.charAt(end));
      }
      start = end + 1;
    }
    return out.toString();
  }

  private static int nextSeparator(String query, int from) {
    for (int index = from; index < query.length(); index++) {
      char c = query.charAt(index);
      if (c == '&' || c == ';') {
        return index;
      }
    }
    return query.length();
  }

  private static boolean isTokenParameter(String rawName) {
    String name;
    try {
      name = URLDecoder.decode(rawName, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException malformed) {
      name = rawName;
    }
    return name.trim().toLowerCase(Locale.ROOT).equals(Authenticator.QUERY_PARAMETER);
  }
}
