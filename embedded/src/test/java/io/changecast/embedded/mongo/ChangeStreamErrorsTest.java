package io.changecast.embedded.mongo;

import static io.changecast.embedded.mongo.RawChangeStreams.open;
import static io.changecast.embedded.mongo.RawChangeStreams.openFails;
import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.MongoCommandException;
import com.mongodb.client.MongoDatabase;
import java.util.List;
import java.util.Locale;
import org.bson.BsonDocument;
import org.bson.BsonString;
import org.bson.Document;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The error codes, messages and labels MongoDB 7.0 answers change-stream mistakes with. */
@Timeout(60)
class ChangeStreamErrorsTest {

  private static final int HISTORY_LIMIT = 3;

  @RegisterExtension
  static final MongoFixture MONGO =
      new MongoFixture(MongoOptions.defaults().withHistoryLimit(HISTORY_LIMIT));

  private MongoDatabase db;

  @BeforeEach
  void freshDatabase() {
    db = MONGO.freshDatabase("errors");
  }

  @Test
  void aResumeTokenFromTheFutureIsRejectedAsNotFound() {
    long seconds = System.currentTimeMillis() / 1000 + 3_600;
    String data = String.format(Locale.ROOT, "82%08X%08X04", seconds, 1);
    BsonDocument future = new BsonDocument("_data", new BsonString(data));

    MongoCommandException error = openFails(db, "orders", new BsonDocument("resumeAfter", future));

    assertThat(error.getErrorCode()).isEqualTo(280);
    assertThat(error.getErrorCodeName()).isEqualTo("ChangeStreamFatalError");
    assertThat(error.getErrorMessage())
        .contains("cannot resume stream; the resume token was not found.");
    assertThat(error.getErrorLabels()).containsExactly("NonResumableChangeStreamError");
  }

  @Test
  void historyLostCarriesTheNonResumableLabel() {
    RawChangeStreams.Stream stream = open(db, "orders", new BsonDocument());
    db.getCollection("orders").insertOne(new Document("_id", 1));
    BsonDocument first = stream.await(1).get(0).getDocument("_id");
    for (int i = 2; i <= HISTORY_LIMIT + 2; i++) {
      db.getCollection("orders").insertOne(new Document("_id", i));
    }

    MongoCommandException error = openFails(db, "orders", new BsonDocument("resumeAfter", first));

    assertThat(error.getErrorCode()).isEqualTo(286);
    assertThat(error.getErrorCodeName()).isEqualTo("ChangeStreamHistoryLost");
    assertThat(error.getErrorLabels()).containsExactly("NonResumableChangeStreamError");
  }

  @Test
  void aGetMoreFailingWithChangeStreamFatalErrorCarriesTheLabel() {
    RawChangeStreams.Stream stream =
        open(db, "orders", new BsonDocument(), BsonDocument.parse("{$project: {_id: 0}}"));
    db.getCollection("orders").insertOne(new Document("_id", 1));

    MongoCommandException error =
        org.junit.jupiter.api.Assertions.assertThrows(
            MongoCommandException.class, () -> stream.await(1));

    assertThat(error.getErrorCode()).isEqualTo(280);
    assertThat(error.getErrorLabels()).containsExactly("NonResumableChangeStreamError");
  }

  @Test
  void anUnknownStageIs40324AndAKnownButForbiddenOneIs20() {
    MongoCommandException unknown =
        openFails(db, "orders", new BsonDocument(), BsonDocument.parse("{$frobnicate: {}}"));
    assertThat(unknown.getErrorCode()).isEqualTo(40324);
    assertThat(unknown.getErrorMessage())
        .contains("Unrecognized pipeline stage name: '$frobnicate'");
    assertThat(unknown.getErrorLabels()).isEmpty();

    MongoCommandException forbidden =
        openFails(db, "orders", new BsonDocument(), BsonDocument.parse("{$group: {_id: '$ns'}}"));
    assertThat(forbidden.getErrorCode()).isEqualTo(20);
    assertThat(forbidden.getErrorMessage())
        .contains("$group is not permitted in a $changeStream pipeline");
  }

  @Test
  void projectingADottedPathSetsTheNestedField() {
    RawChangeStreams.Stream stream =
        open(
            db,
            "orders",
            new BsonDocument(),
            BsonDocument.parse(
                "{$project: {'meta.op': '$operationType', 'meta.id': '$documentKey._id',"
                    + " 'ns.coll': 1}}"));
    db.getCollection("orders").insertOne(new Document("_id", 5));

    List<BsonDocument> events = stream.await(1);

    assertThat(events.get(0).keySet()).containsExactlyInAnyOrder("_id", "ns", "meta");
    assertThat(events.get(0).getDocument("meta"))
        .isEqualTo(BsonDocument.parse("{op: 'insert', id: 5}"));
    assertThat(events.get(0).getDocument("ns")).isEqualTo(BsonDocument.parse("{coll: 'orders'}"));
  }
}
