package io.changecast.embedded.mongo;

import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Updates.set;
import static io.changecast.embedded.mongo.ChangeEventShapeTest.raw;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.InstanceOfAssertFactories.type;

import com.mongodb.MongoCommandException;
import com.mongodb.MongoException;
import com.mongodb.client.MongoChangeStreamCursor;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Aggregates;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Projections;
import java.util.ArrayList;
import java.util.List;
import org.bson.BsonDocument;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Resuming, bounded history and pipelines after {@code $changeStream}. */
@Timeout(60)
class ChangeStreamResumeTest {

  private static final int HISTORY_LIMIT = 5;

  @RegisterExtension
  static final MongoFixture MONGO =
      new MongoFixture(MongoOptions.defaults().withHistoryLimit(HISTORY_LIMIT));

  private MongoCollection<Document> orders;

  @BeforeEach
  void freshCollection() {
    orders = MONGO.freshDatabase("resume").getCollection("orders");
  }

  /** Inserts {@code _id} 1..n while watching; returns the n insert events. */
  private List<BsonDocument> insertWatched(int n) {
    List<BsonDocument> events = new ArrayList<>();
    try (MongoChangeStreamCursor<BsonDocument> cursor = raw(orders.watch())) {
      for (int i = 1; i <= n; i++) {
        orders.insertOne(new Document("_id", i));
        events.add(cursor.next()); // read as we go: the history is short
      }
    }
    return events;
  }

  private static List<Integer> ids(MongoChangeStreamCursor<BsonDocument> cursor) {
    List<Integer> ids = new ArrayList<>();
    for (BsonDocument event = cursor.tryNext(); event != null; event = cursor.tryNext()) {
      ids.add(event.getDocument("documentKey").getInt32("_id").getValue());
    }
    return ids;
  }

  @Test
  void resumeAfterDeliversExactlyTheFollowingEvents() {
    List<BsonDocument> events = insertWatched(4);

    try (MongoChangeStreamCursor<BsonDocument> cursor =
        raw(orders.watch().resumeAfter(events.get(1).getDocument("_id")))) {
      assertThat(ids(cursor)).containsExactly(3, 4);
    }
  }

  @Test
  void startAfterDeliversExactlyTheFollowingEvents() {
    List<BsonDocument> events = insertWatched(4);

    try (MongoChangeStreamCursor<BsonDocument> cursor =
        raw(orders.watch().startAfter(events.get(0).getDocument("_id")))) {
      assertThat(ids(cursor)).containsExactly(2, 3, 4);
    }
  }

  @Test
  void startAtOperationTimeIncludesTheEventAtThatTime() {
    List<BsonDocument> events = insertWatched(4);

    try (MongoChangeStreamCursor<BsonDocument> cursor =
        raw(orders.watch().startAtOperationTime(events.get(2).getTimestamp("clusterTime")))) {
      assertThat(ids(cursor)).containsExactly(3, 4);
    }
  }

  @Test
  void resumingFromBeyondTheRetainedHistoryFailsWithHistoryLost() {
    List<BsonDocument> events = insertWatched(HISTORY_LIMIT + 3);

    assertThatThrownBy(() -> raw(orders.watch().resumeAfter(events.get(0).getDocument("_id"))))
        .asInstanceOf(type(MongoCommandException.class))
        .satisfies(
            e -> {
              assertThat(e.getErrorCode()).isEqualTo(286);
              assertThat(e.getErrorCodeName()).isEqualTo("ChangeStreamHistoryLost");
            });
    assertThatThrownBy(
            () ->
                raw(orders.watch().startAtOperationTime(events.get(2).getTimestamp("clusterTime"))))
        .asInstanceOf(type(MongoCommandException.class))
        .extracting(MongoCommandException::getErrorCode)
        .isEqualTo(286);

    // the oldest retained event is still a valid resume point
    int oldestRetained = events.size() - HISTORY_LIMIT;
    try (MongoChangeStreamCursor<BsonDocument> cursor =
        raw(orders.watch().resumeAfter(events.get(oldestRetained - 1).getDocument("_id")))) {
      assertThat(ids(cursor)).containsExactly(4, 5, 6, 7, 8);
    }
  }

  @Test
  void aCursorThatFallsBehindTheHistoryFailsWithHistoryLost() {
    try (MongoChangeStreamCursor<BsonDocument> cursor = raw(orders.watch())) {
      for (int i = 1; i <= HISTORY_LIMIT + 1; i++) {
        orders.insertOne(new Document("_id", i));
      }
      assertThatThrownBy(cursor::tryNext)
          .asInstanceOf(type(MongoException.class))
          .extracting(MongoException::getCode)
          .isEqualTo(286);
    }
  }

  @Test
  void aTokenFromAnEarlierServerIsHistoryLost() {
    BsonDocument token;
    try (EmbeddedMongo earlier = EmbeddedMongo.start(MongoOptions.defaults());
        MongoClient earlierClient = MongoClients.create(earlier.connectionString())) {
      MongoCollection<Document> items = earlierClient.getDatabase("earlier").getCollection("items");
      try (MongoChangeStreamCursor<BsonDocument> cursor = raw(items.watch())) {
        items.insertOne(new Document("_id", 1));
        token = cursor.next().getDocument("_id");
      }
    }

    // an in-memory server restarted: what happened before is gone, and it says so
    try (EmbeddedMongo later = EmbeddedMongo.start(MongoOptions.defaults());
        MongoClient laterClient = MongoClients.create(later.connectionString())) {
      MongoCollection<Document> items = laterClient.getDatabase("earlier").getCollection("items");
      assertThatThrownBy(() -> raw(items.watch().startAfter(token)))
          .asInstanceOf(type(MongoCommandException.class))
          .extracting(MongoCommandException::getErrorCode)
          .isEqualTo(286);
    }
  }

  @Test
  void historyStaysBoundedHoweverManyWrites() {
    for (int i = 0; i < 20 * HISTORY_LIMIT; i++) {
      orders.insertOne(new Document("_id", i));
    }
    assertThat(MONGO.mongo().backend().history().size()).isEqualTo(HISTORY_LIMIT);
  }

  @Test
  void matchStageFiltersOnOperationTypeAndDocumentFields() {
    List<Bson> pipeline =
        List.of(
            Aggregates.match(
                Filters.and(
                    Filters.in("operationType", "insert", "replace"),
                    Filters.eq("fullDocument.tenantId", "t1"),
                    Filters.eq("ns.coll", "orders"))));
    try (MongoChangeStreamCursor<BsonDocument> cursor = raw(orders.watch(pipeline))) {
      orders.insertOne(new Document("_id", 1).append("tenantId", "t1"));
      orders.insertOne(new Document("_id", 2).append("tenantId", "t2"));
      orders.updateOne(eq("_id", 1), set("x", 1));
      orders.replaceOne(eq("_id", 2), new Document("tenantId", "t1"));

      assertThat(ids(cursor)).containsExactly(1, 2);
    }
  }

  @Test
  void projectStageShapesEventsAndKeepsTheResumeToken() {
    List<Bson> pipeline =
        List.of(Aggregates.project(Projections.include("operationType", "fullDocument.tenantId")));
    try (MongoChangeStreamCursor<BsonDocument> cursor = raw(orders.watch(pipeline))) {
      orders.insertOne(new Document("_id", 1).append("tenantId", "t1").append("secret", "s"));

      BsonDocument event = cursor.next();
      assertThat(event.keySet()).containsExactly("_id", "operationType", "fullDocument");
      assertThat(event.getDocument("fullDocument"))
          .isEqualTo(BsonDocument.parse("{tenantId: 't1'}"));
      assertThat(cursor.getResumeToken()).isEqualTo(event.getDocument("_id"));
    }
  }

  @Test
  void removingTheResumeTokenIsAnError() {
    List<Bson> pipeline = List.of(Aggregates.project(Projections.excludeId()));
    try (MongoChangeStreamCursor<BsonDocument> cursor = raw(orders.watch(pipeline))) {
      orders.insertOne(new Document("_id", 1));
      assertThatThrownBy(cursor::tryNext)
          .asInstanceOf(type(MongoException.class))
          .extracting(MongoException::getCode)
          .isEqualTo(280);
    }
  }

  @Test
  void stagesThatAreNotPerEventAreRejected() {
    List<Bson> pipeline = List.of(Aggregates.limit(1));
    assertThatThrownBy(() -> raw(orders.watch(pipeline)))
        .asInstanceOf(type(MongoCommandException.class))
        .extracting(MongoCommandException::getErrorCode)
        .isEqualTo(20);
  }
}
