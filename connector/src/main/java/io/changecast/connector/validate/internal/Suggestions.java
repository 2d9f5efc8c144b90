package io.changecast.connector.validate.internal;

import java.util.Collection;
import java.util.Optional;

/**
 * "Did you mean": the known key nearest to a mistyped one by edit distance (insertions, deletions,
 * substitutions and swaps of two neighbouring characters each count one), if it is near enough to
 * be a typo: at most 2 edits, or one per 8 characters for longer keys.
 */
public final class Suggestions {

  private Suggestions() {}

  /** The nearest of {@code known} to {@code typed}, if within the typo distance. */
  public static Optional<String> nearest(String typed, Collection<String> known) {
    int limit = Math.max(2, typed.length() / 8);
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : known) {
      if (Math.abs(candidate.length() - typed.length()) > limit) {
        continue;
      }
      int d = distance(typed, candidate);
      if (d <= limit
          && (d < bestDistance || (d == bestDistance && candidate.compareTo(best) < 0))) {
        best = candidate;
        bestDistance = d;
      }
    }
    return Optional.ofNullable(best);
  }

  /** Optimal string alignment distance: Levenshtein plus adjacent transpositions. */
  static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1
            && j > 1
            && a.charAt(i - 1) == b.charAt(j - 2)
            && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }
}
