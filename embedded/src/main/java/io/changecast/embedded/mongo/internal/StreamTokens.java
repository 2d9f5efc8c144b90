package io.changecast.embedded.mongo.internal;

import de.bwaldvogel.mongo.bson.Document;
import java.util.Locale;

/**
 * The resume tokens a change stream hands out, on top of {@link ClusterTime#token}: an event's
 * token is the token of its cluster time; the {@code invalidate} that follows a drop or rename, and
 * each fragment of a split event, get the same cluster time with a marker before the end byte, so
 * they sort after the event at that time and before any later one, as MongoDB's tokens do.
 */
final class StreamTokens {

  private static final String INVALIDATE = "0A";
  private static final String FRAGMENT = "08";

  private StreamTokens() {}

  /** What a token points at. */
  enum Kind {
    EVENT,
    INVALIDATE,
    FRAGMENT
  }

  /**
   * A parsed token.
   *
   * @param time the cluster time
   * @param kind what it points at
   * @param fragment the 0-based fragment number, as in MongoDB's tokens (fragments only)
   */
  record Parsed(long time, Kind kind, int fragment) {}

  static Document event(long time) {
    return ClusterTime.token(time);
  }

  static Document invalidate(long time) {
    return withMarker(time, INVALIDATE);
  }

  static Document fragment(long time, int fragment) {
    return withMarker(time, FRAGMENT + String.format(Locale.ROOT, "%04X", fragment));
  }

  /** Parses a token; error 9 (FailedToParse) when it is malformed. */
  static Parsed parse(Object token) {
    long time = ClusterTime.fromToken(token);
    String data = ((Document) token).get("_data").toString().toUpperCase(Locale.ROOT);
    if (data.length() == 22 && data.startsWith(INVALIDATE, 18)) {
      return new Parsed(time, Kind.INVALIDATE, 0);
    }
    if (data.length() == 26 && data.startsWith(FRAGMENT, 18)) {
      try {
        return new Parsed(time, Kind.FRAGMENT, Integer.parseInt(data.substring(20, 24), 16));
      } catch (NumberFormatException e) {
        // an event token of another shape
      }
    }
    return new Parsed(time, Kind.EVENT, 0);
  }

  private static Document withMarker(long time, String marker) {
    String data = ClusterTime.token(time).get("_data").toString();
    return new Document(
        "_data", data.substring(0, data.length() - 2) + marker + data.substring(data.length() - 2));
  }
}
