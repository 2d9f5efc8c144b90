package io.changecast.embedded.mongo;

import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Updates.set;
import static io.changecast.embedded.mongo.RawChangeStreams.open;
import static io.changecast.embedded.mongo.RawChangeStreams.types;
import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.MongoNamespace;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Indexes;
import java.util.List;
import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonString;
import org.bson.Document;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code showExpandedEvents}: the DDL events of MongoDB 6+ ({@code create}, {@code createIndexes},
 * {@code dropIndexes}, {@code modify}), {@code collectionUUID}, {@code operationDescription} and
 * {@code updateDescription.disambiguatedPaths}.
 */
@Timeout(60)
class ExpandedEventsTest {

  private static final BsonDocument EXPANDED = BsonDocument.parse("{showExpandedEvents: true}");
  @RegisterExtension static final MongoFixture MONGO = new MongoFixture();

  private MongoDatabase db;

  @BeforeEach
  void freshDatabase() {
    db = MONGO.freshDatabase("expanded");
  }

  private void ddl() {
    db.getCollection("orders").insertOne(new Document("_id", 1));
    db.getCollection("orders").createIndex(Indexes.ascending("tenantId"));
    db.runCommand(
        new Document("collMod", "orders")
            .append("changeStreamPreAndPostImages", new Document("enabled", true)));
    db.getCollection("orders").dropIndex("tenantId_1");
    db.getCollection("orders").renameCollection(new MongoNamespace(db.getName(), "archived"));
  }

  @Test
  void expandedEventsReportCollectionAndIndexChangesWithTheCollectionUuid() {
    RawChangeStreams.Stream stream = open(db, null, EXPANDED);
    ddl();

    List<BsonDocument> events = stream.await(6);

    assertThat(types(events))
        .containsExactly("create", "insert", "createIndexes", "modify", "dropIndexes", "rename");
    BsonDocument create = events.get(0);
    assertThat(create.keySet())
        .containsExactly(
            "_id",
            "operationType",
            "clusterTime",
            "collectionUUID",
            "wallTime",
            "ns",
            "operationDescription");
    assertThat(create.getDocument("operationDescription"))
        .isEqualTo(BsonDocument.parse("{idIndex: {v: 2, key: {_id: 1}, name: '_id_'}}"));
    assertThat(create.get("collectionUUID").isBinary()).isTrue();
    for (BsonDocument event : events) {
      assertThat(event.get("collectionUUID")).isEqualTo(create.get("collectionUUID"));
    }
    BsonDocument createIndexes = events.get(2).getDocument("operationDescription");
    BsonDocument index = createIndexes.getArray("indexes").get(0).asDocument();
    assertThat(index.getString("name").getValue()).isEqualTo("tenantId_1");
    assertThat(index.getDocument("key")).isEqualTo(BsonDocument.parse("{tenantId: 1}"));
    BsonDocument modify = events.get(3);
    assertThat(modify.getDocument("operationDescription"))
        .isEqualTo(BsonDocument.parse("{changeStreamPreAndPostImages: {enabled: true}}"));
    assertThat(modify.getDocument("stateBeforeChange").containsKey("collectionOptions")).isTrue();
    assertThat(
            events
                .get(4)
                .getDocument("operationDescription")
                .getArray("indexes")
                .get(0)
                .asDocument()
                .getString("name")
                .getValue())
        .isEqualTo("tenantId_1");
    BsonDocument rename = events.get(5);
    assertThat(rename.getDocument("operationDescription"))
        .isEqualTo(BsonDocument.parse("{to: {db: '" + db.getName() + "', coll: 'archived'}}"));
  }

  @Test
  void withoutTheOptionOnlyDocumentChangesAndDropsAndRenamesAreSeen() {
    RawChangeStreams.Stream stream = open(db, null, new BsonDocument());
    ddl();
    db.getCollection("archived").insertOne(new Document("_id", 2));

    List<BsonDocument> events = stream.await(3);

    assertThat(types(events)).containsExactly("insert", "rename", "insert");
    assertThat(events.get(0).containsKey("collectionUUID")).isFalse();
    assertThat(events.get(1).containsKey("operationDescription")).isFalse();
  }

  @Test
  void disambiguatedPathsExplainNumericFieldNamesAndArrayIndexes() {
    db.getCollection("orders")
        .insertOne(Document.parse("{_id: 1, a: {'0': 1}, arr: [{x: 1}], plain: 1}"));
    RawChangeStreams.Stream expanded = open(db, "orders", EXPANDED);
    RawChangeStreams.Stream plain = open(db, "orders", new BsonDocument());
    db.getCollection("orders").updateOne(eq("_id", 1), set("a.0", 2));
    db.getCollection("orders").updateOne(eq("_id", 1), set("arr.0.x", 2));
    db.getCollection("orders").updateOne(eq("_id", 1), set("plain", 2));

    List<BsonDocument> events = expanded.await(3);

    assertThat(events.get(0).getDocument("updateDescription").getDocument("disambiguatedPaths"))
        .isEqualTo(
            new BsonDocument(
                "a.0", new BsonArray(List.of(new BsonString("a"), new BsonString("0")))));
    // an array index alone is not ambiguous
    assertThat(events.get(1).getDocument("updateDescription").getDocument("disambiguatedPaths"))
        .isEqualTo(new BsonDocument());
    assertThat(events.get(2).getDocument("updateDescription").getDocument("disambiguatedPaths"))
        .isEqualTo(new BsonDocument());
    assertThat(plain.await(1).get(0).getDocument("updateDescription").keySet())
        .containsExactly("updatedFields", "removedFields", "truncatedArrays");
  }

  @Test
  void aNumericFieldUnderAnArrayIsDisambiguatedWithIntIndexes() {
    db.getCollection("orders").insertOne(Document.parse("{_id: 1, arr: [{'1': 'a'}]}"));
    RawChangeStreams.Stream expanded = open(db, "orders", EXPANDED);
    db.getCollection("orders").updateOne(eq("_id", 1), set("arr.0.1", "b"));

    BsonDocument paths =
        expanded.await(1).get(0).getDocument("updateDescription").getDocument("disambiguatedPaths");

    assertThat(paths)
        .isEqualTo(
            new BsonDocument(
                "arr.0.1",
                new BsonArray(
                    List.of(new BsonString("arr"), new BsonInt32(0), new BsonString("1")))));
  }
}
