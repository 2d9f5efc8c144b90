package io.changecast.embedded.mongo.internal;

import de.bwaldvogel.mongo.bson.BsonTimestamp;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.exception.MongoServerError;
import java.util.Locale;

/**
 * Cluster times packed as in a BSON timestamp ({@code seconds << 32 | increment}, compared
 * unsigned), and the resume tokens that encode them.
 *
 * <p>A resume token is {@code {_data: "82" + 16 hex digits + "04"}}: the KeyString layout MongoDB
 * uses, reduced to its leading timestamp (type byte {@code 0x82}) and the end marker. Tokens sort
 * lexicographically in cluster-time order, like MongoDB's. Decoding only reads the leading
 * timestamp, so a token taken from a real MongoDB decodes to its cluster time too.
 */
public final class ClusterTime {

  private static final String PREFIX = "82";
  private static final String SUFFIX = "04";

  private ClusterTime() {}

  static long pack(long seconds, long increment) {
    return (seconds << 32) | (increment & 0xFFFF_FFFFL);
  }

  static long seconds(long time) {
    return time >>> 32;
  }

  static long increment(long time) {
    return time & 0xFFFF_FFFFL;
  }

  static int compare(long a, long b) {
    return Long.compareUnsigned(a, b);
  }

  static long max(long a, long b) {
    return compare(a, b) >= 0 ? a : b;
  }

  static BsonTimestamp toTimestamp(long time) {
    return new BsonTimestamp(time);
  }

  /** The resume token of the event (or high-water mark) at {@code time}. */
  public static Document token(long time) {
    return new Document("_data", PREFIX + String.format(Locale.ROOT, "%016X", time) + SUFFIX);
  }

  /** The cluster time a resume token encodes; error 9 (FailedToParse) when it is malformed. */
  public static long fromToken(Object token) {
    if (token instanceof Document document && document.get("_data") instanceof String data) {
      if (data.length() >= PREFIX.length() + 16 && data.regionMatches(true, 0, PREFIX, 0, 2)) {
        try {
          return Long.parseUnsignedLong(data.substring(2, 18), 16);
        } catch (NumberFormatException e) {
          // reported below
        }
      }
    }
    throw new MongoServerError(9, "FailedToParse", "invalid resume token: " + token);
  }
}
