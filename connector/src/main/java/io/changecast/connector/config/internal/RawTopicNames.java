package io.changecast.connector.config.internal;

/**
 * The official connector's default topic naming ({@code DefaultTopicMapper}): {@code
 * [prefix<sep>]db<sep>coll[<sep>suffix]}, written once for the checks and the dry run.
 */
public final class RawTopicNames {

  private RawTopicNames() {}

  /** The raw topic of collection {@code db.coll} under the given prefix, separator and suffix. */
  public static String of(String prefix, String separator, String suffix, String db, String coll) {
    StringBuilder b = new StringBuilder(head(prefix, separator));
    b.append(db).append(separator).append(coll);
    if (!suffix.isEmpty()) {
      b.append(separator).append(suffix);
    }
    return b.toString();
  }

  /** What every raw topic name starts with: {@code prefix<sep>}, or nothing without a prefix. */
  public static String head(String prefix, String separator) {
    return prefix.isEmpty() ? "" : prefix + separator;
  }
}
