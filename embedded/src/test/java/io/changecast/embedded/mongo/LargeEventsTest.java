package io.changecast.embedded.mongo;

import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Updates.set;
import static io.changecast.embedded.mongo.RawChangeStreams.open;
import static io.changecast.embedded.mongo.RawChangeStreams.openFails;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.mongodb.MongoCommandException;
import com.mongodb.client.MongoDatabase;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.bson.BsonDocument;
import org.bson.Document;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Change events over 16 MB: BSONObjectTooLarge without {@code $changeStreamSplitLargeEvent},
 * fragments with {@code splitEvent} and their own resume tokens with it.
 */
@Timeout(120)
class LargeEventsTest {

  private static final BsonDocument ALL_IMAGES =
      BsonDocument.parse("{fullDocument: 'required', fullDocumentBeforeChange: 'required'}");
  private static final BsonDocument SPLIT =
      BsonDocument.parse("{$changeStreamSplitLargeEvent: {}}");
  @RegisterExtension static final MongoFixture MONGO = new MongoFixture();
  private static MongoDatabase db;

  @BeforeAll
  static void start() {
    db = MONGO.client().getDatabase("large");
    db.getCollection("blobs").insertOne(new Document("_id", 1).append("data", "a".repeat(6 << 20)));
    db.runCommand(
        new Document("collMod", "blobs")
            .append("changeStreamPreAndPostImages", new Document("enabled", true)));
  }

  @Test
  void anEventOver16MbIsSplitIntoFragmentsThatResumeOneByOne() {
    RawChangeStreams.Stream whole = open(db, "blobs", ALL_IMAGES);
    RawChangeStreams.Stream split = open(db, "blobs", ALL_IMAGES, SPLIT);
    db.getCollection("blobs").updateOne(eq("_id", 1), set("data", "b".repeat(6 << 20)));

    MongoCommandException tooLarge =
        assertThrows(MongoCommandException.class, () -> whole.await(1));
    assertThat(tooLarge.getErrorCode()).isEqualTo(10334);
    assertThat(tooLarge.getErrorCodeName()).isEqualTo("BSONObjectTooLarge");

    List<BsonDocument> fragments = split.await(2);
    assertThat(fragments).hasSize(2);
    Set<String> fields = new HashSet<>();
    for (int i = 0; i < fragments.size(); i++) {
      BsonDocument fragment = fragments.get(i);
      assertThat(List.copyOf(fragment.keySet()).subList(0, 2)).containsExactly("_id", "splitEvent");
      assertThat(fragment.getDocument("splitEvent"))
          .isEqualTo(BsonDocument.parse("{fragment: " + (i + 1) + ", of: 2}"));
      fields.addAll(fragment.keySet());
    }
    assertThat(fields)
        .contains(
            "operationType",
            "clusterTime",
            "fullDocument",
            "ns",
            "documentKey",
            "updateDescription",
            "fullDocumentBeforeChange");
    BsonDocument firstToken = fragments.get(0).getDocument("_id");
    assertThat(firstToken).isNotEqualTo(fragments.get(1).getDocument("_id"));

    RawChangeStreams.Stream resumed =
        open(
            db,
            "blobs",
            new BsonDocument("resumeAfter", firstToken)
                .append("fullDocument", ALL_IMAGES.get("fullDocument"))
                .append("fullDocumentBeforeChange", ALL_IMAGES.get("fullDocumentBeforeChange")),
            SPLIT);
    List<BsonDocument> rest = resumed.await(1);
    assertThat(rest.get(0).getDocument("splitEvent"))
        .isEqualTo(BsonDocument.parse("{fragment: 2, of: 2}"));
    assertThat(rest.get(0).getDocument("_id")).isEqualTo(fragments.get(1).getDocument("_id"));

    MongoCommandException noSplitStage =
        openFails(db, "blobs", new BsonDocument("resumeAfter", firstToken));
    assertThat(noSplitStage.getErrorCode()).isEqualTo(280);
    assertThat(noSplitStage.getErrorMessage())
        .contains(
            "To resume from a split event, the $changeStream pipeline must include a"
                + " $changeStreamSplitLargeEvent stage");
  }
}
