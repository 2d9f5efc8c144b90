package io.changecast.embedded.mongo;

import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Updates.set;
import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.MongoCommandException;
import com.mongodb.client.ClientSession;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoCursor;
import com.mongodb.client.MongoDatabase;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.bson.BsonDocument;
import org.bson.BsonTimestamp;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Sessions, multi-document transactions and retryable writes against the default server, as a
 * change stream and other readers see them.
 */
@Timeout(60)
class TransactionTest {

  private EmbeddedMongo mongo;
  private MongoClient client;
  private MongoDatabase app;
  private MongoCollection<Document> orders;

  @BeforeEach
  void start() {
    mongo = EmbeddedMongo.start(MongoOptions.defaults());
    client = MongoClients.create(mongo.connectionString() + "?uuidRepresentation=standard");
    app = client.getDatabase("app");
    orders = app.getCollection("orders");
    orders.insertOne(new Document("_id", 0).append("status", "old"));
  }

  @AfterEach
  void stop() {
    client.close();
    mongo.close();
  }

  private MongoCursor<BsonDocument> watch() {
    return orders.watch().withDocumentClass(BsonDocument.class).cursor();
  }

  @Test
  void commitShowsEveryWriteAtOnceAsEventsWithOneClusterTimeLsidAndTxnNumber() {
    try (MongoCursor<BsonDocument> stream = watch();
        ClientSession session = client.startSession()) {
      session.startTransaction();
      orders.insertOne(session, new Document("_id", 1).append("status", "new"));
      orders.insertOne(session, new Document("_id", 2).append("status", "new"));
      orders.updateOne(session, eq("_id", 0), set("status", "done"));

      assertThat(orders.countDocuments()).as("outside the transaction before commit").isEqualTo(1);
      assertThat(orders.find(eq("_id", 0)).first()).containsEntry("status", "old");

      session.commitTransaction();

      assertThat(orders.countDocuments()).isEqualTo(3);
      assertThat(orders.find(eq("_id", 0)).first()).containsEntry("status", "done");
      List<BsonDocument> events = List.of(stream.next(), stream.next(), stream.next());
      assertThat(events)
          .extracting(e -> e.getString("operationType").getValue())
          .containsExactly("insert", "insert", "update");
      assertThat(events)
          .extracting(e -> e.get("clusterTime"))
          .containsOnly(events.get(0).get("clusterTime"));
      assertThat(events)
          .allSatisfy(
              e -> {
                assertThat(e.getDocument("lsid").get("id"))
                    .isEqualTo(session.getServerSession().getIdentifier().get("id"));
                assertThat(e.getNumber("txnNumber").longValue())
                    .isEqualTo(session.getServerSession().getTransactionNumber());
              });
      List<String> tokens =
          events.stream().map(e -> e.getDocument("_id").getString("_data").getValue()).toList();
      assertThat(tokens).isSorted().doesNotHaveDuplicates();
    }
  }

  @Test
  void aStreamResumedAfterAnEventOfTheTransactionGetsTheRestInOrder() {
    BsonDocument first;
    try (MongoCursor<BsonDocument> stream = watch();
        ClientSession session = client.startSession()) {
      session.withTransaction(
          () -> {
            for (int id = 1; id <= 3; id++) {
              orders.insertOne(session, new Document("_id", id));
            }
            return null;
          });
      first = stream.next().getDocument("_id");
    }
    try (MongoCursor<BsonDocument> resumed =
        orders.watch().resumeAfter(first).withDocumentClass(BsonDocument.class).cursor()) {
      assertThat(List.of(resumed.next(), resumed.next()))
          .extracting(e -> e.getDocument("documentKey").getInt32("_id").getValue())
          .containsExactly(2, 3);
    }
  }

  @Test
  void aStreamStartingAtTheCommitsOperationTimeGetsTheWholeTransaction() {
    BsonTimestamp committedAt;
    try (ClientSession session = client.startSession()) {
      session.startTransaction();
      for (int id = 1; id <= 3; id++) {
        orders.insertOne(session, new Document("_id", id));
      }
      session.commitTransaction();
      committedAt = session.getOperationTime();
    }
    orders.insertOne(new Document("_id", 4));

    try (MongoCursor<BsonDocument> stream =
        orders
            .watch()
            .startAtOperationTime(committedAt)
            .withDocumentClass(BsonDocument.class)
            .cursor()) {
      List<BsonDocument> events =
          List.of(stream.next(), stream.next(), stream.next(), stream.next());
      assertThat(events)
          .extracting(e -> e.getDocument("documentKey").getInt32("_id").getValue())
          .containsExactly(1, 2, 3, 4);
      assertThat(events.get(0).getTimestamp("clusterTime")).isEqualTo(committedAt);
    }
  }

  @Test
  void aCollectionCreatedInATransactionExistsOnlyOnceCommitted() {
    MongoCollection<Document> invoices = app.getCollection("invoices");
    try (ClientSession session = client.startSession()) {
      session.startTransaction();
      app.createCollection(session, "invoices");
      invoices.insertOne(session, new Document("_id", 1));
      assertThat(app.listCollectionNames().into(new ArrayList<>())).doesNotContain("invoices");
      session.abortTransaction();

      assertThat(app.listCollectionNames().into(new ArrayList<>())).doesNotContain("invoices");
      session.startTransaction();
      app.createCollection(session, "invoices");
      invoices.insertOne(session, new Document("_id", 2));
      session.commitTransaction();
    }
    assertThat(invoices.find().into(new ArrayList<>())).containsExactly(new Document("_id", 2));
  }

  @Test
  void readsInTheTransactionSeeItsOwnWrites() {
    try (ClientSession session = client.startSession()) {
      session.startTransaction();
      orders.insertOne(session, new Document("_id", 1));
      orders.updateOne(session, eq("_id", 0), set("status", "mine"));

      assertThat(orders.countDocuments(session)).isEqualTo(2);
      assertThat(orders.find(session, eq("_id", 0)).first()).containsEntry("status", "mine");
      assertThat(orders.find(eq("_id", 1)).first()).isNull();
      session.abortTransaction();
    }
  }

  @Test
  void abortDiscardsTheWritesAndTheirEvents() {
    try (MongoCursor<BsonDocument> stream = watch();
        ClientSession session = client.startSession()) {
      session.startTransaction();
      orders.insertOne(session, new Document("_id", 1));
      orders.deleteOne(session, eq("_id", 0));
      session.abortTransaction();
      orders.insertOne(new Document("_id", "marker"));

      assertThat(orders.find().map(d -> d.get("_id")).into(new ArrayList<>()))
          .containsExactlyInAnyOrder(0, "marker");
      BsonDocument next = stream.next();
      assertThat(next.getDocument("documentKey").getString("_id").getValue()).isEqualTo("marker");
      assertThat(next.containsKey("txnNumber")).isFalse();
    }
  }

  @Test
  void aConcurrentReaderNeverSeesHalfATransaction() throws Exception {
    AtomicBoolean done = new AtomicBoolean();
    Set<Long> counts = ConcurrentHashMap.newKeySet();
    ExecutorService reader = Executors.newSingleThreadExecutor();
    try {
      Future<?> reading =
          reader.submit(
              () -> {
                while (!done.get()) {
                  counts.add(orders.countDocuments());
                }
              });
      try (ClientSession session = client.startSession()) {
        for (int i = 0; i < 40; i++) {
          int base = 10 * (i + 1);
          session.withTransaction(
              () -> {
                orders.insertOne(session, new Document("_id", base));
                orders.insertOne(session, new Document("_id", base + 1));
                return null;
              });
        }
      }
      done.set(true);
      reading.get();
    } finally {
      reader.shutdownNow();
    }
    assertThat(counts).isNotEmpty().allSatisfy(count -> assertThat(count % 2).isEqualTo(1L));
    assertThat(orders.countDocuments()).isEqualTo(81);
  }

  @Test
  void aTransactionNobodyStartedIsNoSuchTransactionWithTheTransientLabel() {
    ClientSession raw = client.startSession();
    MongoDatabase admin = client.getDatabase("admin");

    MongoCommandException commit =
        commandError(
            () ->
                admin.runCommand(
                    raw,
                    new Document("commitTransaction", 1)
                        .append("txnNumber", 105L)
                        .append("autocommit", false)));
    MongoCommandException insert =
        commandError(
            () ->
                app.runCommand(
                    raw,
                    new Document("insert", "orders")
                        .append("documents", List.of(new Document("_id", 9)))
                        .append("txnNumber", 106L)
                        .append("autocommit", false)));

    for (MongoCommandException error : List.of(commit, insert)) {
      assertThat(error.getErrorCode()).isEqualTo(251);
      assertThat(error.getErrorCodeName()).isEqualTo("NoSuchTransaction");
      assertThat(error.hasErrorLabel("TransientTransactionError")).isTrue();
    }
    assertThat(orders.find(eq("_id", 9)).first()).isNull();
  }

  @Test
  void aRawTransactionalInsertWaitsForCommitAndRetryingTheCommitIsIdempotent() {
    ClientSession raw = client.startSession();
    MongoDatabase admin = client.getDatabase("admin");
    app.runCommand(
        raw,
        new Document("insert", "orders")
            .append("documents", List.of(new Document("_id", 1)))
            .append("txnNumber", 101L)
            .append("startTransaction", true)
            .append("autocommit", false));
    assertThat(orders.find(eq("_id", 1)).first()).isNull();

    Document commit =
        new Document("commitTransaction", 1).append("txnNumber", 101L).append("autocommit", false);

    Document first = admin.runCommand(raw, commit);
    Document retried = admin.runCommand(raw, commit);

    assertThat(first.get("ok")).isEqualTo(1.0);
    assertThat(retried.get("ok")).isEqualTo(1.0);
    assertThat(orders.countDocuments(eq("_id", 1))).isEqualTo(1);
    assertThat(mongo.backend().history().size()).isEqualTo(2);
  }

  @Test
  void abortingARawTransactionTwiceIsNoSuchTransaction() {
    ClientSession raw = client.startSession();
    MongoDatabase admin = client.getDatabase("admin");
    app.runCommand(
        raw,
        new Document("delete", "orders")
            .append(
                "deletes", List.of(new Document("q", new Document("_id", 0)).append("limit", 1)))
            .append("txnNumber", 101L)
            .append("startTransaction", true)
            .append("autocommit", false));
    Document abort =
        new Document("abortTransaction", 1).append("txnNumber", 101L).append("autocommit", false);

    assertThat(admin.runCommand(raw, abort).get("ok")).isEqualTo(1.0);
    assertThat(commandError(() -> admin.runCommand(raw, abort)).getErrorCode()).isEqualTo(251);
    assertThat(orders.countDocuments(eq("_id", 0))).isEqualTo(1);
  }

  @Test
  void aWriteThatAConcurrentWriteInvalidatedFailsTheCommitWithWriteConflict() {
    try (ClientSession session = client.startSession()) {
      session.startTransaction();
      orders.updateOne(session, eq("_id", 0), set("status", "txn"));
      orders.deleteOne(eq("_id", 0));

      MongoCommandException conflict = commandError(session::commitTransaction);

      assertThat(conflict.getErrorCode()).isEqualTo(112);
      assertThat(conflict.hasErrorLabel("TransientTransactionError")).isTrue();
      assertThat(orders.countDocuments()).isZero();
    }
  }

  @Test
  void aRetriedRetryableWriteIsAppliedOnce() {
    ClientSession raw = client.startSession();
    Document insert =
        new Document("insert", "orders")
            .append("documents", List.of(new Document("_id", 7)))
            .append("txnNumber", 103L);

    Document first = app.runCommand(raw, insert);
    Document retried = app.runCommand(raw, insert);

    assertThat(first).containsEntry("n", 1);
    assertThat(retried).containsEntry("n", 1).doesNotContainKey("writeErrors");
    assertThat(orders.countDocuments(eq("_id", 7))).isEqualTo(1);
  }

  @Test
  void sessionCommandsAnswerAsMongoDbDoes() {
    MongoDatabase admin = client.getDatabase("admin");
    Document started = admin.runCommand(new Document("startSession", 1));
    Document id = started.get("id", Document.class);

    assertThat(started).containsEntry("timeoutMinutes", 30);
    assertThat(id.get("id")).isInstanceOf(UUID.class);
    assertThat(admin.runCommand(new Document("refreshSessions", List.of(id))).get("ok"))
        .isEqualTo(1.0);
    assertThat(admin.runCommand(new Document("endSessions", List.of(id))).get("ok")).isEqualTo(1.0);
    assertThat(admin.runCommand(new Document("killSessions", List.of(id))).get("ok"))
        .isEqualTo(1.0);
    assertThat(admin.runCommand(new Document("ping", 1)).get("operationTime"))
        .isInstanceOf(BsonTimestamp.class);
  }

  private static MongoCommandException commandError(Runnable command) {
    try {
      command.run();
    } catch (MongoCommandException e) {
      return e;
    }
    throw new AssertionError("the command did not fail");
  }
}
