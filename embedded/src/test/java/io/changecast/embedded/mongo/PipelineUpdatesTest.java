package io.changecast.embedded.mongo;

import static com.mongodb.client.model.Filters.eq;
import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoCursor;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.result.UpdateResult;
import java.util.List;
import org.bson.BsonDocument;
import org.bson.Document;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Pipeline-style updates ({@code u} is an array of stages) apply and report as MongoDB's do. */
@Timeout(60)
class PipelineUpdatesTest {

  @RegisterExtension static final MongoFixture MONGO = new MongoFixture();

  private MongoCollection<Document> orders;

  @BeforeEach
  void freshCollection() {
    orders = MONGO.freshDatabase("pipeline").getCollection("orders");
  }

  @Test
  void aPipelineUpdateChangesTheDocumentAndIsAnUpdateEvent() {
    orders.insertOne(new Document("_id", 1).append("price", 10).append("qty", 3).append("x", 1));
    try (MongoCursor<BsonDocument> cursor =
        orders.watch().withDocumentClass(BsonDocument.class).cursor()) {
      UpdateResult result =
          orders.updateOne(
              eq("_id", 1),
              List.of(
                  Document.parse("{$set: {total: {$multiply: ['$price', '$qty']}}}"),
                  Document.parse("{$unset: 'x'}")));

      assertThat(result.getMatchedCount()).isEqualTo(1);
      assertThat(result.getModifiedCount()).isEqualTo(1);
      assertThat(orders.find(eq("_id", 1)).first())
          .isEqualTo(Document.parse("{_id: 1, price: 10, qty: 3, total: 30}"));
      BsonDocument event = cursor.next();
      assertThat(event.getString("operationType").getValue()).isEqualTo("update");
      assertThat(event.getDocument("updateDescription").getDocument("updatedFields"))
          .isEqualTo(BsonDocument.parse("{total: 30}"));
      assertThat(event.getDocument("updateDescription").getArray("removedFields"))
          .containsExactly(new org.bson.BsonString("x"));
    }
  }

  @Test
  void findOneAndUpdateTakesAPipelineToo() {
    orders.insertOne(new Document("_id", 2).append("n", 1));
    try (MongoCursor<BsonDocument> cursor =
        orders.watch().withDocumentClass(BsonDocument.class).cursor()) {
      Document after =
          orders.findOneAndUpdate(
              eq("_id", 2),
              List.of(Document.parse("{$set: {n: {$add: ['$n', 1]}}}")),
              new FindOneAndUpdateOptions().returnDocument(ReturnDocument.AFTER));

      assertThat(after).isEqualTo(Document.parse("{_id: 2, n: 2}"));
      BsonDocument event = cursor.next();
      assertThat(event.getString("operationType").getValue()).isEqualTo("update");
      assertThat(event.getDocument("updateDescription").getDocument("updatedFields"))
          .isEqualTo(BsonDocument.parse("{n: 2}"));
    }
  }

  @Test
  void aPipelineUpsertInsertsFromTheFilter() {
    UpdateResult result =
        orders.updateOne(
            eq("_id", 7),
            List.of(Document.parse("{$set: {state: 'new'}}")),
            new UpdateOptions().upsert(true));

    assertThat(result.getUpsertedId()).isNotNull();
    assertThat(orders.find(eq("_id", 7)).first())
        .isEqualTo(Document.parse("{_id: 7, state: 'new'}"));
  }
}
