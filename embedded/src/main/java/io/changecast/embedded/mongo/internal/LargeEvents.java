package io.changecast.embedded.mongo.internal;

import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.exception.MongoServerError;
import de.bwaldvogel.mongo.wire.bson.BsonEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Change events larger than MongoDB's 16 MB document limit: without {@code
 * $changeStreamSplitLargeEvent} they fail the stream with BSONObjectTooLarge (10334); with it they
 * are cut into fragments of whole top-level fields, each with its own resume token and {@code
 * splitEvent: {fragment, of}}, as MongoDB 7.0 does.
 */
final class LargeEvents {

  static final String STAGE = "$changeStreamSplitLargeEvent";
  static final int MAX_EVENT_BYTES = 16 * 1024 * 1024;

  /** Room left in each fragment for {@code _id} and {@code splitEvent}. */
  private static final int FRAGMENT_OVERHEAD = 200;

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

  /** The event as it is sent: itself, or its fragments. */
  List<Document> split(Document event) {
    long size = bsonSize(event);
    if (size <= MAX_EVENT_BYTES) {
      return List.of(event);
    }
    if (!splitting) {
      throw tooLarge(size, event);
    }
    long time = ClusterTime.fromToken(event.get("_id"));
    List<Document> bodies = new ArrayList<>();
    Document current = new Document();
    long currentBytes = 0;
    for (String key : event.keySet()) {
      if (key.equals("_id")) {
        continue;
      }
      Document single = new Document(key, event.get(key));
      long fieldBytes = bsonSize(single) - 5;
      if (fieldBytes + FRAGMENT_OVERHEAD > MAX_EVENT_BYTES) {
        throw tooLarge(size, event);
      }
      if (!current.isEmpty() && currentBytes + fieldBytes + FRAGMENT_OVERHEAD > MAX_EVENT_BYTES) {
        bodies.add(current);
        current = new Document();
        currentBytes = 0;
      }
      current.put(key, event.get(key));
      currentBytes += fieldBytes;
    }
    bodies.add(current);
    List<Document> fragments = new ArrayList<>(bodies.size());
    for (int i = 0; i < bodies.size(); i++) {
      Document fragment = new Document("_id", StreamTokens.fragment(time, i + 1));
      fragment.putAll(bodies.get(i));
      fragment.put("splitEvent", new Document("fragment", i + 1).append("of", bodies.size()));
      fragments.add(fragment);
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
