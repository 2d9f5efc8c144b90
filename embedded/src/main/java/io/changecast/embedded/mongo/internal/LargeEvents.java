package io.changecast.embedded.mongo.internal;

import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.exception.MongoServerError;
import de.bwaldvogel.mongo.wire.bson.BsonEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Change events larger than MongoDB's 16 MB document limit: without {@code
 * $changeStreamSplitLargeEvent} they fail the stream with BSONObjectTooLarge (10334); with it they
 * are cut into fragments of whole top-level fields (smallest first, as many as fit), each with its
 * own resume token and {@code splitEvent: {fragment, of}} after {@code _id}, as MongoDB 7.0 does.
 */
final class LargeEvents {

  static final String STAGE = "$changeStreamSplitLargeEvent";
  static final int MAX_EVENT_BYTES = 16 * 1024 * 1024;

  private final boolean splitting;

  LargeEvents(boolean splitting) {
    this.splitting = splitting;
  }

  boolean splitting() {
    return splitting;
  }

  static long bsonSize(Document document) {
    ByteBuf buffer = Unpooled.buffer();
    try {
      BsonEncoder.encodeDocument(document, buffer);
      return buffer.writerIndex();
    } finally {
      buffer.release();
    }
  }

  /** An event as it is sent, and its BSON size. */
  record Sized(Document event, long bytes) {

    static Sized of(Document event) {
      return new Sized(event, bsonSize(event));
    }
  }

  /** The event as it is sent: itself, or its fragments. */
  List<Sized> split(Document event) {
    long size = bsonSize(event);
    if (size <= MAX_EVENT_BYTES) {
      return List.of(new Sized(event, size));
    }
    if (!splitting) {
      throw tooLarge(size, event);
    }
    long time = ClusterTime.fromToken(event.get("_id"));
    // as MongoDB: fields ordered by size (then name), packed greedily, at least one per fragment
    List<Map.Entry<Long, String>> fields = new ArrayList<>();
    for (String key : event.keySet()) {
      if (!key.equals("_id")) {
        fields.add(Map.entry(bsonSize(new Document(key, event.get(key))) - 5, key));
      }
    }
    fields.sort(
        Comparator.comparing((Map.Entry<Long, String> e) -> e.getKey())
            .thenComparing(Map.Entry::getValue));
    List<Sized> fragments = new ArrayList<>();
    int next = 0;
    while (next < fields.size()) {
      Document fragment = new Document("_id", StreamTokens.fragment(time, fragments.size()));
      Document splitEvent = new Document("fragment", fragments.size() + 1).append("of", 0);
      fragment.put("splitEvent", splitEvent);
      long fragmentBytes = bsonSize(fragment);
      do {
        Map.Entry<Long, String> field = fields.get(next++);
        fragment.put(field.getValue(), event.get(field.getValue()));
        fragmentBytes += field.getKey();
      } while (next < fields.size()
          && fragmentBytes + fields.get(next).getKey() <= MAX_EVENT_BYTES);
      if (fragmentBytes > MAX_EVENT_BYTES) {
        throw new MongoServerError(
            7182500,
            "Location7182500",
            "Splitting change event failed: fragment size "
                + fragmentBytes
                + " is greater than maximum allowed fragment size "
                + MAX_EVENT_BYTES);
      }
      fragments.add(new Sized(fragment, fragmentBytes));
    }
    for (Sized fragment : fragments) {
      ((Document) fragment.event().get("splitEvent")).put("of", fragments.size());
    }
    return fragments;
  }

  private static MongoServerError tooLarge(long size, Document event) {
    return new MongoServerError(
        10334,
        "BSONObjectTooLarge",
        String.format(
            Locale.ROOT,
            "BSONObj size: %d (0x%X) is invalid. Size must be between 0 and %d(16MB) First"
                + " element: _id: %s",
            size,
            size,
            MAX_EVENT_BYTES,
            event.get("_id")));
  }
}
