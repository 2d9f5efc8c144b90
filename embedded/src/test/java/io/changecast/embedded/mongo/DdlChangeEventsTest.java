package io.changecast.embedded.mongo;

import static io.changecast.embedded.mongo.RawChangeStreams.open;
import static io.changecast.embedded.mongo.RawChangeStreams.openFails;
import static io.changecast.embedded.mongo.RawChangeStreams.types;
import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.MongoCommandException;
import com.mongodb.MongoNamespace;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.RenameCollectionOptions;
import java.util.List;
import org.bson.BsonBoolean;
import org.bson.BsonDocument;
import org.bson.Document;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Drops, renames and dropDatabase as MongoDB 7.0 reports them: {@code drop}/{@code rename} events,
 * {@code dropDatabase}, and the {@code invalidate} that ends a collection (or database) stream.
 */
@Timeout(60)
class DdlChangeEventsTest {

  @RegisterExtension static final MongoFixture MONGO = new MongoFixture();

  private MongoDatabase db;

  @BeforeEach
  void freshDatabase() {
    db = MONGO.freshDatabase("ddl");
    db.getCollection("orders").insertOne(new Document("_id", 0));
  }

  private BsonDocument ns(String coll) {
    return BsonDocument.parse("{db: '" + db.getName() + "', coll: '" + coll + "'}");
  }

  @Test
  void droppingTheWatchedCollectionSendsDropThenInvalidateAndClosesTheCursor() {
    RawChangeStreams.Stream stream = open(db, "orders", new BsonDocument());
    db.getCollection("orders").insertOne(new Document("_id", 1));
    db.getCollection("orders").drop();

    List<BsonDocument> events = stream.await(3);

    assertThat(types(events)).containsExactly("insert", "drop", "invalidate");
    BsonDocument drop = events.get(1);
    assertThat(drop.keySet())
        .containsExactly("_id", "operationType", "clusterTime", "wallTime", "ns");
    assertThat(drop.getDocument("ns")).isEqualTo(ns("orders"));
    BsonDocument invalidate = events.get(2);
    assertThat(invalidate.keySet())
        .containsExactly("_id", "operationType", "clusterTime", "wallTime");
    assertThat(invalidate.getTimestamp("clusterTime")).isEqualTo(drop.getTimestamp("clusterTime"));
    assertThat(invalidate.getDocument("_id")).isNotEqualTo(drop.getDocument("_id"));
    assertThat(stream.cursorId).isZero();
    assertThat(stream.postBatchResumeToken).isEqualTo(invalidate.getDocument("_id"));
  }

  @Test
  void anInvalidateTokenRefusesResumeAfterButStartsAfter() {
    RawChangeStreams.Stream stream = open(db, "orders", new BsonDocument());
    db.getCollection("orders").drop();
    BsonDocument invalidateToken = stream.await(2).get(1).getDocument("_id");

    MongoCommandException refused =
        openFails(db, "orders", new BsonDocument("resumeAfter", invalidateToken));
    assertThat(refused.getErrorCode()).isEqualTo(260);
    assertThat(refused.getErrorCodeName()).isEqualTo("InvalidResumeToken");
    assertThat(refused.getErrorMessage())
        .contains(
            "Attempting to resume a change stream using 'resumeAfter' is not allowed from an"
                + " invalidate notification");

    RawChangeStreams.Stream after =
        open(db, "orders", new BsonDocument("startAfter", invalidateToken));
    db.getCollection("orders").insertOne(new Document("_id", 2));
    List<BsonDocument> events = after.await(1);
    assertThat(types(events)).containsExactly("insert");
    assertThat(events.get(0).getDocument("documentKey")).isEqualTo(BsonDocument.parse("{_id: 2}"));
  }

  @Test
  void resumingAfterTheDropEventReturnsTheInvalidate() {
    RawChangeStreams.Stream stream = open(db, "orders", new BsonDocument());
    db.getCollection("orders").drop();
    BsonDocument dropToken = stream.await(2).get(0).getDocument("_id");

    RawChangeStreams.Stream resumed =
        open(db, "orders", new BsonDocument("resumeAfter", dropToken));

    assertThat(types(resumed.events)).containsExactly("invalidate");
    assertThat(resumed.cursorId).isZero();
  }

  @Test
  void renamingTheWatchedCollectionSendsRenameWithToThenInvalidate() {
    RawChangeStreams.Stream stream = open(db, "orders", new BsonDocument());
    db.getCollection("orders").renameCollection(new MongoNamespace(db.getName(), "archived"));

    List<BsonDocument> events = stream.await(2);

    assertThat(types(events)).containsExactly("rename", "invalidate");
    BsonDocument rename = events.get(0);
    assertThat(rename.keySet())
        .containsExactly("_id", "operationType", "clusterTime", "wallTime", "ns", "to");
    assertThat(rename.getDocument("ns")).isEqualTo(ns("orders"));
    assertThat(rename.getDocument("to")).isEqualTo(ns("archived"));
    assertThat(stream.cursorId).isZero();
  }

  @Test
  void renamingAnotherCollectionOverTheWatchedOneInvalidatesItsStream() {
    db.getCollection("target").insertOne(new Document("_id", 9));
    RawChangeStreams.Stream stream = open(db, "target", new BsonDocument());
    db.getCollection("orders")
        .renameCollection(
            new MongoNamespace(db.getName(), "target"),
            new RenameCollectionOptions().dropTarget(true));

    List<BsonDocument> events = stream.await(2);

    assertThat(types(events)).containsExactly("rename", "invalidate");
    assertThat(events.get(0).getDocument("ns")).isEqualTo(ns("orders"));
    assertThat(events.get(0).getDocument("to")).isEqualTo(ns("target"));
    assertThat(stream.cursorId).isZero();
  }

  @Test
  void aDatabaseWatchSeesRenameAndDropAndGoesOn() {
    db.getCollection("target").insertOne(new Document("_id", 9));
    RawChangeStreams.Stream stream = open(db, null, new BsonDocument());
    db.getCollection("orders")
        .renameCollection(
            new MongoNamespace(db.getName(), "target"),
            new RenameCollectionOptions().dropTarget(true));
    db.getCollection("target").insertOne(new Document("_id", 3));
    db.getCollection("target").drop();
    db.getCollection("other").insertOne(new Document("_id", 4));

    List<BsonDocument> events = stream.await(4);

    // the replaced target is not reported as a drop of its own, as on MongoDB
    assertThat(types(events)).containsExactly("rename", "insert", "drop", "insert");
    assertThat(events.get(0).getDocument("to")).isEqualTo(ns("target"));
    assertThat(events.get(1).getDocument("ns")).isEqualTo(ns("target"));
    assertThat(events.get(2).getDocument("ns")).isEqualTo(ns("target"));
    assertThat(stream.cursorId).isNotZero();
  }

  @Test
  void droppingTheDatabaseSendsEachDropThenDropDatabaseThenInvalidateToADatabaseWatch() {
    db.getCollection("users").insertOne(new Document("_id", 1));
    RawChangeStreams.Stream dbStream = open(db, null, new BsonDocument());
    RawChangeStreams.Stream clusterStream =
        open(
            MONGO.client().getDatabase("admin"),
            null,
            new BsonDocument("allChangesForCluster", BsonBoolean.TRUE));
    db.drop();
    MONGO.client().getDatabase(db.getName() + "empty").drop(); // no collections: no event
    MONGO
        .client()
        .getDatabase(db.getName() + "next")
        .getCollection("c")
        .insertOne(new Document("_id", 1));

    List<BsonDocument> events = dbStream.await(4);
    assertThat(types(events)).containsExactly("drop", "drop", "dropDatabase", "invalidate");
    assertThat(events.subList(0, 2))
        .extracting(e -> e.getDocument("ns"))
        .containsExactlyInAnyOrder(ns("orders"), ns("users"));
    BsonDocument dropDatabase = events.get(2);
    assertThat(dropDatabase.keySet())
        .containsExactly("_id", "operationType", "clusterTime", "wallTime", "ns");
    assertThat(dropDatabase.getDocument("ns"))
        .isEqualTo(BsonDocument.parse("{db: '" + db.getName() + "'}"));
    assertThat(dbStream.cursorId).isZero();

    // the whole-cluster stream is never invalidated
    List<BsonDocument> cluster = clusterStream.await(4);
    assertThat(types(cluster)).containsExactly("drop", "drop", "dropDatabase", "insert");
    assertThat(clusterStream.cursorId).isNotZero();
  }

  @Test
  void theDriverEndsACollectionStreamAtTheInvalidate() {
    try (var cursor =
        db.getCollection("orders").watch().withDocumentClass(BsonDocument.class).cursor()) {
      db.getCollection("orders").drop();
      assertThat(cursor.next().getString("operationType").getValue()).isEqualTo("drop");
      assertThat(cursor.next().getString("operationType").getValue()).isEqualTo("invalidate");
      assertThat(cursor.hasNext()).isFalse();
    }
  }
}
