package io.changecast.embedded.mongo;

import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Updates.set;
import static io.changecast.embedded.mongo.RawChangeStreams.open;
import static io.changecast.embedded.mongo.RawChangeStreams.types;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.mongodb.MongoCommandException;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import java.util.List;
import org.bson.BsonDocument;
import org.bson.Document;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * MongoDB 6+'s pre- and post-images: {@code changeStreamPreAndPostImages} set by {@code collMod} or
 * {@code create}, read with {@code fullDocumentBeforeChange} and {@code fullDocument:
 * whenAvailable|required}.
 */
@Timeout(60)
class PreAndPostImagesTest {

  private static final BsonDocument IMAGES_WHEN_AVAILABLE =
      BsonDocument.parse(
          "{fullDocument: 'whenAvailable', fullDocumentBeforeChange: 'whenAvailable'}");
  @RegisterExtension static final MongoFixture MONGO = new MongoFixture();

  private MongoDatabase db;
  private MongoCollection<Document> orders;

  @BeforeEach
  void freshCollection() {
    db = MONGO.freshDatabase("images");
    orders = db.getCollection("orders");
    orders.insertOne(new Document("_id", 1).append("tenantId", "acme").append("total", 10));
  }

  private void enableImages(boolean enabled) {
    db.runCommand(
        new Document("collMod", "orders")
            .append("changeStreamPreAndPostImages", new Document("enabled", enabled)));
  }

  @Test
  void collModMakesUpdatesReplacesAndDeletesCarryTheirImages() {
    enableImages(true);
    RawChangeStreams.Stream stream = open(db, "orders", IMAGES_WHEN_AVAILABLE);
    orders.updateOne(eq("_id", 1), set("total", 12));
    orders.replaceOne(eq("_id", 1), new Document("tenantId", "acme").append("total", 0));
    orders.deleteOne(eq("_id", 1));

    List<BsonDocument> events = stream.await(3);

    assertThat(types(events)).containsExactly("update", "replace", "delete");
    BsonDocument update = events.get(0);
    assertThat(update.keySet())
        .containsExactly(
            "_id",
            "operationType",
            "clusterTime",
            "wallTime",
            "fullDocument",
            "ns",
            "documentKey",
            "updateDescription",
            "fullDocumentBeforeChange");
    assertThat(update.getDocument("fullDocument"))
        .isEqualTo(BsonDocument.parse("{_id: 1, tenantId: 'acme', total: 12}"));
    assertThat(update.getDocument("fullDocumentBeforeChange"))
        .isEqualTo(BsonDocument.parse("{_id: 1, tenantId: 'acme', total: 10}"));
    assertThat(events.get(1).getDocument("fullDocumentBeforeChange"))
        .isEqualTo(BsonDocument.parse("{_id: 1, tenantId: 'acme', total: 12}"));
    BsonDocument delete = events.get(2);
    assertThat(delete.getDocument("fullDocumentBeforeChange"))
        .isEqualTo(BsonDocument.parse("{_id: 1, tenantId: 'acme', total: 0}"));
  }

  @Test
  void withoutPreAndPostImagesWhenAvailableGivesNull() {
    RawChangeStreams.Stream stream = open(db, "orders", IMAGES_WHEN_AVAILABLE);
    orders.updateOne(eq("_id", 1), set("total", 12));
    orders.deleteOne(eq("_id", 1));

    List<BsonDocument> events = stream.await(2);

    assertThat(events.get(0).isNull("fullDocument")).isTrue();
    assertThat(events.get(0).isNull("fullDocumentBeforeChange")).isTrue();
    assertThat(events.get(1).isNull("fullDocumentBeforeChange")).isTrue();
  }

  @Test
  void requiredImagesFailWithNoMatchingDocumentWhenNotRecorded() {
    RawChangeStreams.Stream before =
        open(db, "orders", BsonDocument.parse("{fullDocumentBeforeChange: 'required'}"));
    RawChangeStreams.Stream after =
        open(db, "orders", BsonDocument.parse("{fullDocument: 'required'}"));
    orders.deleteOne(eq("_id", 1));
    orders.insertOne(new Document("_id", 2));
    orders.updateOne(eq("_id", 2), set("x", 1));

    MongoCommandException noPreImage =
        assertThrows(MongoCommandException.class, () -> before.await(1));
    assertThat(noPreImage.getErrorCode()).isEqualTo(47);
    assertThat(noPreImage.getErrorCodeName()).isEqualTo("NoMatchingDocument");
    assertThat(noPreImage.getErrorMessage())
        .contains(
            "Change stream was configured to require a pre-image for all update, delete and"
                + " replace events, but the pre-image was not found for event");

    MongoCommandException noPostImage =
        assertThrows(MongoCommandException.class, () -> after.await(3));
    assertThat(noPostImage.getErrorCode()).isEqualTo(47);
    assertThat(noPostImage.getErrorMessage())
        .contains("but the post-image was not found for event");
  }

  @Test
  void createWithTheOptionRecordsPreImagesAndListCollectionsShowsIt() {
    db.runCommand(
        new Document("create", "audited")
            .append("changeStreamPreAndPostImages", new Document("enabled", true)));
    MongoCollection<Document> audited = db.getCollection("audited");
    audited.insertOne(new Document("_id", 7).append("tenantId", "globex"));
    RawChangeStreams.Stream stream =
        open(db, "audited", BsonDocument.parse("{fullDocumentBeforeChange: 'required'}"));
    audited.deleteOne(eq("_id", 7));

    BsonDocument delete = stream.await(1).get(0);

    assertThat(delete.getDocument("fullDocumentBeforeChange"))
        .isEqualTo(BsonDocument.parse("{_id: 7, tenantId: 'globex'}"));
    Document listed = null;
    for (Document collection : db.listCollections()) {
      if ("audited".equals(collection.getString("name"))) {
        listed = collection;
      }
    }
    assertThat(listed).isNotNull();
    assertThat(listed.get("options", Document.class).toJson())
        .contains("\"changeStreamPreAndPostImages\": {\"enabled\": true}");
  }

  @Test
  void disablingStopsRecordingAndCollModOfAMissingCollectionFails() {
    enableImages(true);
    enableImages(false);
    RawChangeStreams.Stream stream = open(db, "orders", IMAGES_WHEN_AVAILABLE);
    orders.deleteOne(eq("_id", 1));
    assertThat(stream.await(1).get(0).isNull("fullDocumentBeforeChange")).isTrue();

    MongoCommandException missing =
        assertThrows(
            MongoCommandException.class,
            () ->
                db.runCommand(
                    new Document("collMod", "nothing")
                        .append("changeStreamPreAndPostImages", new Document("enabled", true))));
    assertThat(missing.getErrorCode()).isEqualTo(26);
  }
}
