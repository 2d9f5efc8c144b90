package io.changecast.edge.internal.filter;

import java.util.ArrayList;
import java.util.List;

/**
 * The {@code types} parameter: a comma list of event types, each exact or ending in {@code *} (a
 * prefix match; {@code *} alone matches every type).
 */
public record TypeFilter(List<String> exact, List<String> prefixes) {
  public static final int MAX_LENGTH = 1024;
  public static final int MAX_PATTERNS = 32;

  public TypeFilter {
    exact = List.copyOf(exact);
    prefixes = List.copyOf(prefixes);
  }

  /** Parses the parameter, or throws {@link FilterSyntaxException} with the position. */
  public static TypeFilter parse(String text) {
    if (text.length() > MAX_LENGTH) {
      throw new FilterSyntaxException("types is longer than " + MAX_LENGTH + " characters", 0);
    }
    List<String> exact = new ArrayList<>();
    List<String> prefixes = new ArrayList<>();
    int start = 0;
    for (String raw : text.split(",", -1)) {
      String pattern = raw.strip();
      int at = start + (raw.length() - raw.stripLeading().length());
      start += raw.length() + 1;
      if (pattern.isEmpty()) {
        throw new FilterSyntaxException("empty type in types", at);
      }
      for (int i = 0; i < pattern.length(); i++) {
        char c = pattern.charAt(i);
        boolean wildcardAtEnd = c == '*' && i == pattern.length() - 1;
        if (!wildcardAtEnd && !isTypeChar(c)) {
          throw new FilterSyntaxException(
              c == '*'
                  ? "'*' is allowed only at the end of a type"
                  : "unexpected '" + c + "' in a type (allowed: A-Z a-z 0-9 . _ - : and a final *)",
              at + i);
        }
      }
      if (exact.size() + prefixes.size() == MAX_PATTERNS) {
        throw new FilterSyntaxException("types has more than " + MAX_PATTERNS + " entries", at);
      }
      if (pattern.endsWith("*")) {
        prefixes.add(pattern.substring(0, pattern.length() - 1));
      } else {
        exact.add(pattern);
      }
    }
    return new TypeFilter(exact, prefixes);
  }

  /** Whether an event of {@code type} (null when the envelope has none) passes. */
  public boolean matches(String type) {
    if (type == null) {
      return false;
    }
    if (exact.contains(type)) {
      return true;
    }
    for (String prefix : prefixes) {
      if (type.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }

  private static boolean isTypeChar(char c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || c == '.'
        || c == '_'
        || c == '-'
        || c == ':';
  }
}
