package io.changecast.embedded.mongo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.mongodb.client.MongoChangeStreamCursor;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Aggregates;
import com.mongodb.client.model.Filters;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.bson.BsonDocument;
import org.bson.BsonInt64;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code getMore} on a change stream waits for events, and always reports how far it got. */
@Timeout(60)
class AwaitingGetMoreTest {

  @RegisterExtension static final MongoFixture MONGO = new MongoFixture();
  private static ExecutorService executor;

  private MongoDatabase db;
  private MongoCollection<Document> orders;

  @BeforeAll
  static void start() {
    executor = Executors.newCachedThreadPool();
  }

  @AfterAll
  static void stop() {
    executor.shutdownNow();
  }

  @BeforeEach
  void freshCollection() {
    db = MONGO.freshDatabase("await");
    orders = db.getCollection("orders");
  }

  private static MongoChangeStreamCursor<BsonDocument> longAwait(
      com.mongodb.client.ChangeStreamIterable<Document> stream) {
    return (MongoChangeStreamCursor<BsonDocument>)
        stream.maxAwaitTime(1, TimeUnit.HOURS).withDocumentClass(BsonDocument.class).cursor();
  }

  @Test
  void getMoreWaitsForTheNextWriteAndReturnsIt() throws Exception {
    try (MongoChangeStreamCursor<BsonDocument> cursor = longAwait(orders.watch())) {
      Future<BsonDocument> next = executor.submit(cursor::tryNext);
      // the server has parked the getMore: nothing was there to return
      await().until(() -> MONGO.mongo().backend().history().waiterCount() == 1);
      assertThat(next).isNotDone();

      orders.insertOne(new Document("_id", 42));

      BsonDocument event = next.get(30, TimeUnit.SECONDS);
      assertThat(event).isNotNull();
      assertThat(event.getDocument("documentKey")).isEqualTo(BsonDocument.parse("{_id: 42}"));
      assertThat(MONGO.mongo().backend().history().waiterCount()).isZero();
    }
  }

  @Test
  void parkedGetMoresHoldNoServerThread() throws Exception {
    // more waiting cursors than the server has event-loop threads
    int watchers = 4 * Runtime.getRuntime().availableProcessors() + 2;
    List<MongoChangeStreamCursor<BsonDocument>> cursors = new ArrayList<>();
    List<Future<BsonDocument>> nexts = new ArrayList<>();
    try {
      for (int i = 0; i < watchers; i++) {
        MongoChangeStreamCursor<BsonDocument> cursor = longAwait(orders.watch());
        cursors.add(cursor);
        nexts.add(executor.submit(cursor::tryNext));
      }
      await().until(() -> MONGO.mongo().backend().history().waiterCount() == watchers);

      orders.insertOne(new Document("_id", 7));

      for (Future<BsonDocument> next : nexts) {
        assertThat(next.get(30, TimeUnit.SECONDS).getDocument("documentKey"))
            .isEqualTo(BsonDocument.parse("{_id: 7}"));
      }
    } finally {
      cursors.forEach(MongoChangeStreamCursor::close);
    }
  }

  @Test
  void eventsFilteredOutKeepTheGetMoreWaiting() throws Exception {
    var pipeline = List.of(Aggregates.match(Filters.eq("fullDocument.tenantId", "t1")));
    try (MongoChangeStreamCursor<BsonDocument> cursor = longAwait(orders.watch(pipeline))) {
      Future<BsonDocument> next = executor.submit(cursor::tryNext);
      await().until(() -> MONGO.mongo().backend().history().waiterCount() == 1);

      orders.insertOne(new Document("_id", 1).append("tenantId", "t2"));
      // the non-matching event woke the getMore, which found nothing and parked again
      await().until(() -> MONGO.mongo().backend().history().waiterCount() == 1);
      assertThat(next).isNotDone();
      orders.insertOne(new Document("_id", 2).append("tenantId", "t1"));

      BsonDocument event = next.get(30, TimeUnit.SECONDS);
      assertThat(event.getDocument("documentKey")).isEqualTo(BsonDocument.parse("{_id: 2}"));
      assertThat(cursor.getResumeToken()).isEqualTo(event.getDocument("_id"));
    }
  }

  @Test
  void idleGetMoreReturnsAnEmptyBatchWithAPostBatchResumeToken() {
    Document opened =
        db.runCommand(
            Document.parse("{aggregate: 'orders', pipeline: [{$changeStream: {}}], cursor: {}}"));
    Document openedCursor = opened.get("cursor", Document.class);
    assertThat(openedCursor.getList("firstBatch", Document.class)).isEmpty();
    Document firstToken = openedCursor.get("postBatchResumeToken", Document.class);
    assertThat(firstToken).containsOnlyKeys("_data");
    long cursorId = openedCursor.getLong("id");
    assertThat(cursorId).isNotZero();

    // a non-matching write elsewhere in the database still moves the high-water mark
    db.getCollection("other").insertOne(new Document("_id", 1));
    Document more =
        db.runCommand(
            new Document("getMore", new BsonInt64(cursorId))
                .append("collection", "orders")
                .append("maxTimeMS", 50));
    Document moreCursor = more.get("cursor", Document.class);

    assertThat(moreCursor.getList("nextBatch", Document.class)).isEmpty();
    assertThat(moreCursor.getLong("id")).isEqualTo(cursorId);
    Document nextToken = moreCursor.get("postBatchResumeToken", Document.class);
    assertThat(nextToken.getString("_data")).isGreaterThan(firstToken.getString("_data"));
    assertThat(more.get("operationTime")).isInstanceOf(org.bson.BsonTimestamp.class);

    db.runCommand(
        new Document("killCursors", "orders").append("cursors", List.of(new BsonInt64(cursorId))));
  }

  @Test
  void driverResumeTokenIsAvailableBeforeAnyEvent() {
    try (MongoChangeStreamCursor<BsonDocument> cursor =
        (MongoChangeStreamCursor<BsonDocument>)
            orders
                .watch()
                .maxAwaitTime(50, TimeUnit.MILLISECONDS)
                .withDocumentClass(BsonDocument.class)
                .cursor()) {
      assertThat(cursor.tryNext()).isNull();
      BsonDocument token = cursor.getResumeToken();
      assertThat(token).isNotNull();

      orders.insertOne(new Document("_id", 1));
      // resuming from the empty batch's token yields exactly the later write
      try (MongoChangeStreamCursor<BsonDocument> resumed =
          ChangeEventShapeTest.raw(orders.watch().resumeAfter(token))) {
        assertThat(resumed.next().getDocument("documentKey"))
            .isEqualTo(BsonDocument.parse("{_id: 1}"));
        assertThat(resumed.tryNext()).isNull();
      }
    }
  }
}
