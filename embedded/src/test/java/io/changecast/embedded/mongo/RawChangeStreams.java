package io.changecast.embedded.mongo;

import com.mongodb.MongoCommandException;
import com.mongodb.client.MongoDatabase;
import java.util.ArrayList;
import java.util.List;
import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonInt64;
import org.bson.BsonString;
import org.bson.BsonValue;
import org.junit.jupiter.api.Assertions;

/**
 * Change streams driven by raw {@code aggregate}/{@code getMore} commands, to see what the server
 * sends (cursor ids, batches, error codes and labels) without a driver's resume logic in between.
 */
final class RawChangeStreams {

  private RawChangeStreams() {}

  /** An open server cursor and what it has returned so far. */
  static final class Stream {
    private final MongoDatabase db;
    private final String collection;
    long cursorId;
    BsonDocument postBatchResumeToken;
    final List<BsonDocument> events = new ArrayList<>();

    Stream(MongoDatabase db, String collection, BsonDocument reply) {
      this.db = db;
      this.collection = collection;
      take(reply.getDocument("cursor"), "firstBatch");
    }

    private void take(BsonDocument cursor, String batch) {
      cursorId = cursor.getNumber("id").longValue();
      postBatchResumeToken = cursor.getDocument("postBatchResumeToken", null);
      cursor.getArray(batch).forEach(e -> events.add(e.asDocument()));
    }

    /** Issues getMores until {@code count} events arrived (or the cursor closed). */
    List<BsonDocument> await(int count) {
      long deadline = System.nanoTime() + 20_000_000_000L;
      while (events.size() < count && cursorId != 0 && System.nanoTime() < deadline) {
        BsonDocument reply =
            db.runCommand(
                new BsonDocument("getMore", new BsonInt64(cursorId))
                    .append("collection", new BsonString(collection))
                    .append("maxTimeMS", new BsonInt32(200)),
                BsonDocument.class);
        take(reply.getDocument("cursor"), "nextBatch");
      }
      return events;
    }

    /** One more getMore (short wait), returning what it brought. */
    List<BsonDocument> poll() {
      int before = events.size();
      BsonDocument reply =
          db.runCommand(
              new BsonDocument("getMore", new BsonInt64(cursorId))
                  .append("collection", new BsonString(collection))
                  .append("maxTimeMS", new BsonInt32(100)),
              BsonDocument.class);
      take(reply.getDocument("cursor"), "nextBatch");
      return events.subList(before, events.size());
    }
  }

  static BsonDocument command(
      Object target, BsonDocument changeStreamOptions, BsonDocument... stages) {
    BsonArray pipeline = new BsonArray();
    pipeline.add(new BsonDocument("$changeStream", changeStreamOptions));
    for (BsonDocument stage : stages) {
      pipeline.add(stage);
    }
    BsonValue aggregate = target instanceof String s ? new BsonString(s) : new BsonInt32(1);
    return new BsonDocument("aggregate", aggregate)
        .append("pipeline", pipeline)
        .append("cursor", new BsonDocument());
  }

  /** Opens a change stream on {@code collection} ({@code null}: the whole database). */
  static Stream open(
      MongoDatabase db, String collection, BsonDocument options, BsonDocument... stages) {
    BsonDocument reply =
        db.runCommand(
            command(collection == null ? 1 : collection, options, stages), BsonDocument.class);
    return new Stream(db, collection == null ? "$cmd.aggregate" : collection, reply);
  }

  /** The error an {@code aggregate} of a change stream fails with. */
  static MongoCommandException openFails(
      MongoDatabase db, String collection, BsonDocument options, BsonDocument... stages) {
    return Assertions.assertThrows(
        MongoCommandException.class,
        () ->
            db.runCommand(
                command(collection == null ? 1 : collection, options, stages), BsonDocument.class));
  }

  static List<String> types(List<BsonDocument> events) {
    return events.stream().map(e -> e.getString("operationType").getValue()).toList();
  }
}
