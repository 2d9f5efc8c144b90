package io.changecast.embedded.mongo;

import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Filters.in;
import static com.mongodb.client.model.Updates.combine;
import static com.mongodb.client.model.Updates.inc;
import static com.mongodb.client.model.Updates.popLast;
import static com.mongodb.client.model.Updates.push;
import static com.mongodb.client.model.Updates.set;
import static com.mongodb.client.model.Updates.unset;
import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.client.ChangeStreamIterable;
import com.mongodb.client.MongoChangeStreamCursor;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.changestream.FullDocument;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bson.BsonDocument;
import org.bson.BsonTimestamp;
import org.bson.Document;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Change events have MongoDB's documented shape, field by field, at every watch level. */
@Timeout(60)
class ChangeEventShapeTest {

  @RegisterExtension static final MongoFixture MONGO = new MongoFixture();

  private MongoDatabase db;
  private MongoCollection<Document> orders;

  @BeforeEach
  void freshDatabase() {
    db = MONGO.freshDatabase("shape");
    orders = db.getCollection("orders");
  }

  static MongoChangeStreamCursor<BsonDocument> raw(ChangeStreamIterable<Document> stream) {
    // short awaits keep the tryNext() == null checks quick
    return (MongoChangeStreamCursor<BsonDocument>)
        stream
            .maxAwaitTime(100, TimeUnit.MILLISECONDS)
            .withDocumentClass(BsonDocument.class)
            .cursor();
  }

  private BsonDocument ns(String coll) {
    return new BsonDocument("db", new org.bson.BsonString(db.getName()))
        .append("coll", new org.bson.BsonString(coll));
  }

  @Test
  void insertCarriesTokenNamespaceKeyAndFullDocument() {
    try (MongoChangeStreamCursor<BsonDocument> cursor = raw(orders.watch())) {
      orders.insertOne(new Document("_id", 1).append("tenantId", "t1").append("total", 10));

      BsonDocument event = cursor.next();

      assertThat(event.keySet())
          .containsExactly(
              "_id",
              "operationType",
              "clusterTime",
              "wallTime",
              "fullDocument",
              "ns",
              "documentKey");
      assertThat(event.getDocument("_id").keySet()).containsExactly("_data");
      assertThat(event.getDocument("_id").getString("_data").getValue())
          .matches("82[0-9A-F]{16}04");
      assertThat(event.getString("operationType").getValue()).isEqualTo("insert");
      assertThat(event.get("clusterTime").isTimestamp()).isTrue();
      assertThat(event.get("wallTime").isDateTime()).isTrue();
      assertThat(event.getDocument("ns")).isEqualTo(ns("orders"));
      assertThat(event.getDocument("documentKey")).isEqualTo(BsonDocument.parse("{_id: 1}"));
      assertThat(event.getDocument("fullDocument"))
          .isEqualTo(BsonDocument.parse("{_id: 1, tenantId: 't1', total: 10}"));
      assertThat(cursor.getResumeToken()).isEqualTo(event.getDocument("_id"));
    }
  }

  @Test
  void updateCarriesUpdateDescriptionAndNoFullDocumentByDefault() {
    orders.insertOne(
        Document.parse("{_id: 2, a: 1, b: {c: 1, d: 2}, arr: [1, 2, 3], gone: true, n: 1}"));
    try (MongoChangeStreamCursor<BsonDocument> cursor = raw(orders.watch())) {
      orders.updateOne(
          eq("_id", 2),
          combine(set("a", 5), set("b.c", 7), unset("gone"), push("arr", 4), inc("n", 2)));
      orders.updateOne(eq("_id", 2), popLast("arr"));
      orders.updateOne(eq("_id", 2), combine(popLast("arr"), popLast("arr")));

      BsonDocument update = cursor.next();
      assertThat(update.keySet())
          .containsExactly(
              "_id",
              "operationType",
              "clusterTime",
              "wallTime",
              "ns",
              "documentKey",
              "updateDescription");
      assertThat(update.getString("operationType").getValue()).isEqualTo("update");
      assertThat(update.getDocument("documentKey")).isEqualTo(BsonDocument.parse("{_id: 2}"));
      assertThat(update.getDocument("ns")).isEqualTo(ns("orders"));
      assertThat(update.getDocument("updateDescription"))
          .isEqualTo(
              BsonDocument.parse(
                  "{updatedFields: {a: 5, 'b.c': 7, 'arr.3': 4, n: 3},"
                      + " removedFields: ['gone'], truncatedArrays: []}"));

      // popping the element just pushed leaves [1, 2, 3]
      BsonDocument pop = cursor.next();
      assertThat(pop.getDocument("updateDescription"))
          .isEqualTo(
              BsonDocument.parse(
                  "{updatedFields: {}, removedFields: [],"
                      + " truncatedArrays: [{field: 'arr', newSize: 3}]}"));
      // a single update yields a single event
      BsonDocument popTwice = cursor.next();
      assertThat(popTwice.getDocument("updateDescription").getArray("truncatedArrays"))
          .containsExactly(BsonDocument.parse("{field: 'arr', newSize: 2}"));
      assertThat(cursor.tryNext()).isNull();
    }
  }

  @Test
  void updateLookupReturnsTheCurrentDocumentOrNullOnceDeleted() {
    orders.insertOne(new Document("_id", 3).append("status", "new"));
    orders.insertOne(new Document("_id", 4).append("status", "new"));
    try (MongoChangeStreamCursor<BsonDocument> cursor =
        raw(orders.watch().fullDocument(FullDocument.UPDATE_LOOKUP))) {
      orders.updateOne(eq("_id", 3), set("status", "paid"));
      orders.updateOne(eq("_id", 4), set("status", "paid"));
      orders.deleteOne(eq("_id", 4));

      BsonDocument looked = cursor.next();
      assertThat(looked.keySet())
          .containsExactly(
              "_id",
              "operationType",
              "clusterTime",
              "wallTime",
              "fullDocument",
              "ns",
              "documentKey",
              "updateDescription");
      assertThat(looked.getDocument("fullDocument"))
          .isEqualTo(BsonDocument.parse("{_id: 3, status: 'paid'}"));
      assertThat(looked.getDocument("updateDescription").getDocument("updatedFields"))
          .isEqualTo(BsonDocument.parse("{status: 'paid'}"));

      BsonDocument deletedSince = cursor.next();
      assertThat(deletedSince.getString("operationType").getValue()).isEqualTo("update");
      assertThat(deletedSince.containsKey("fullDocument")).isTrue();
      assertThat(deletedSince.get("fullDocument").isNull()).isTrue();
    }
  }

  @Test
  void replaceAndDeleteHaveTheirOwnShapes() {
    orders.insertOne(new Document("_id", 5).append("old", true));
    try (MongoChangeStreamCursor<BsonDocument> cursor = raw(orders.watch())) {
      orders.replaceOne(eq("_id", 5), new Document("fresh", 1));
      orders.deleteOne(eq("_id", 5));

      BsonDocument replace = cursor.next();
      assertThat(replace.keySet())
          .containsExactly(
              "_id",
              "operationType",
              "clusterTime",
              "wallTime",
              "fullDocument",
              "ns",
              "documentKey");
      assertThat(replace.getString("operationType").getValue()).isEqualTo("replace");
      assertThat(replace.getDocument("fullDocument"))
          .isEqualTo(BsonDocument.parse("{_id: 5, fresh: 1}"));
      assertThat(replace.getDocument("documentKey")).isEqualTo(BsonDocument.parse("{_id: 5}"));

      BsonDocument delete = cursor.next();
      assertThat(delete.keySet())
          .containsExactly("_id", "operationType", "clusterTime", "wallTime", "ns", "documentKey");
      assertThat(delete.getString("operationType").getValue()).isEqualTo("delete");
      assertThat(delete.getDocument("documentKey")).isEqualTo(BsonDocument.parse("{_id: 5}"));
      assertThat(delete.getDocument("ns")).isEqualTo(ns("orders"));
    }
  }

  @Test
  void bulkWritesYieldOneEventPerDocumentWithIncreasingClusterTimes() {
    try (MongoChangeStreamCursor<BsonDocument> cursor = raw(orders.watch())) {
      orders.insertMany(
          List.of(
              new Document("_id", 10).append("s", "a"),
              new Document("_id", 11).append("s", "a"),
              new Document("_id", 12).append("s", "done")));
      orders.updateMany(in("_id", 10, 11, 12), set("s", "done"));
      orders.findOneAndUpdate(eq("_id", 10), set("x", 1));
      orders.findOneAndReplace(eq("_id", 11), new Document("y", 2));
      orders.findOneAndDelete(eq("_id", 12));
      orders.deleteMany(in("_id", 10, 11));

      List<BsonDocument> events = new ArrayList<>();
      while (events.size() < 10) {
        events.add(cursor.next());
      }
      assertThat(cursor.tryNext()).isNull();

      assertThat(events)
          .extracting(e -> e.getString("operationType").getValue())
          .containsExactly(
              "insert", "insert", "insert", "update", "update", "update", "replace", "delete",
              "delete", "delete");
      assertThat(events)
          .extracting(e -> e.getDocument("documentKey").getInt32("_id").getValue())
          .containsExactly(10, 11, 12, 10, 11, 10, 11, 12, 10, 11);
      List<BsonTimestamp> times = events.stream().map(e -> e.getTimestamp("clusterTime")).toList();
      for (int i = 1; i < times.size(); i++) {
        assertThat(times.get(i)).isGreaterThan(times.get(i - 1));
      }
    }
  }

  @Test
  void databaseWatchSeesEveryCollectionOfItsDatabaseOnly() {
    MongoDatabase other = MONGO.client().getDatabase(db.getName() + "other");
    try (MongoChangeStreamCursor<BsonDocument> cursor = raw(db.watch())) {
      orders.insertOne(new Document("_id", 1));
      other.getCollection("orders").insertOne(new Document("_id", 2));
      db.getCollection("users").insertOne(new Document("_id", 3));

      assertThat(cursor.next().getDocument("ns")).isEqualTo(ns("orders"));
      assertThat(cursor.next().getDocument("ns")).isEqualTo(ns("users"));
      assertThat(cursor.tryNext()).isNull();
    }
  }

  @Test
  void deploymentWatchSeesEveryDatabase() {
    MongoDatabase other = MONGO.client().getDatabase(db.getName() + "other");
    try (MongoChangeStreamCursor<BsonDocument> cursor = raw(MONGO.client().watch())) {
      orders.insertOne(new Document("_id", 1));
      other.getCollection("items").insertOne(new Document("_id", 2));

      assertThat(cursor.next().getDocument("ns")).isEqualTo(ns("orders"));
      assertThat(cursor.next().getDocument("ns"))
          .isEqualTo(BsonDocument.parse("{db: '" + other.getName() + "', coll: 'items'}"));
    }
  }

  @Test
  void droppingACollectionYieldsADropEvent() {
    orders.insertOne(new Document("_id", 1));
    try (MongoChangeStreamCursor<BsonDocument> cursor = raw(db.watch())) {
      orders.drop();

      BsonDocument drop = cursor.next();
      assertThat(drop.keySet())
          .containsExactly("_id", "operationType", "clusterTime", "wallTime", "ns");
      assertThat(drop.getString("operationType").getValue()).isEqualTo("drop");
      assertThat(drop.getDocument("ns")).isEqualTo(ns("orders"));
    }
  }

  @Test
  void upsertsAreInsertsAndNoOpUpdatesAreSilent() {
    orders.insertOne(new Document("_id", 20).append("v", 1));
    try (MongoChangeStreamCursor<BsonDocument> cursor = raw(orders.watch())) {
      orders.updateOne(eq("_id", 20), set("v", 1));
      orders.updateOne(
          eq("_id", 21), set("v", 2), new com.mongodb.client.model.UpdateOptions().upsert(true));

      BsonDocument upsert = cursor.next();
      assertThat(upsert.getString("operationType").getValue()).isEqualTo("insert");
      assertThat(upsert.getDocument("fullDocument"))
          .isEqualTo(BsonDocument.parse("{_id: 21, v: 2}"));
      assertThat(cursor.tryNext()).isNull();
    }
  }
}
