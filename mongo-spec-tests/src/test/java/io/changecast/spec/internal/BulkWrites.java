package io.changecast.spec.internal;

import com.mongodb.bulk.BulkWriteResult;
import com.mongodb.client.ClientSession;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.BulkWriteOptions;
import com.mongodb.client.model.DeleteManyModel;
import com.mongodb.client.model.DeleteOneModel;
import com.mongodb.client.model.InsertOneModel;
import com.mongodb.client.model.ReplaceOneModel;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.UpdateManyModel;
import com.mongodb.client.model.UpdateOneModel;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.WriteModel;
import java.util.ArrayList;
import java.util.List;
import org.bson.BsonDocument;
import org.bson.BsonInt64;
import org.bson.BsonValue;

/** The {@code bulkWrite} operation: its requests as the driver's write models, its result. */
final class BulkWrites {

  private BulkWrites() {}

  static BsonDocument run(
      MongoCollection<BsonDocument> collection, ClientSession session, Args args) {
    List<WriteModel<BsonDocument>> models = new ArrayList<>();
    for (BsonValue value : args.array("requests")) {
      BsonDocument request = value.asDocument();
      String kind = request.getFirstKey();
      models.add(model(kind, request.getDocument(kind)));
    }
    BulkWriteOptions options = new BulkWriteOptions();
    if (args.has("ordered")) {
      options.ordered(args.bool("ordered"));
    }
    BulkWriteResult result =
        session == null
            ? collection.bulkWrite(models, options)
            : collection.bulkWrite(session, models, options);
    BsonDocument insertedIds = new BsonDocument();
    result.getInserts().forEach(i -> insertedIds.put(String.valueOf(i.getIndex()), i.getId()));
    BsonDocument upsertedIds = new BsonDocument();
    result.getUpserts().forEach(u -> upsertedIds.put(String.valueOf(u.getIndex()), u.getId()));
    return new BsonDocument("deletedCount", new BsonInt64(result.getDeletedCount()))
        .append("insertedCount", new BsonInt64(result.getInsertedCount()))
        .append("insertedIds", insertedIds)
        .append("matchedCount", new BsonInt64(result.getMatchedCount()))
        .append("modifiedCount", new BsonInt64(result.getModifiedCount()))
        .append("upsertedCount", new BsonInt64(result.getUpserts().size()))
        .append("upsertedIds", upsertedIds);
  }

  private static WriteModel<BsonDocument> model(String kind, BsonDocument arguments) {
    boolean upsert = arguments.getBoolean("upsert", org.bson.BsonBoolean.FALSE).getValue();
    return switch (kind) {
      case "insertOne" -> new InsertOneModel<>(arguments.getDocument("document"));
      case "updateOne" ->
          new UpdateOneModel<>(
              arguments.getDocument("filter"),
              arguments.getDocument("update"),
              new UpdateOptions().upsert(upsert));
      case "updateMany" ->
          new UpdateManyModel<>(
              arguments.getDocument("filter"),
              arguments.getDocument("update"),
              new UpdateOptions().upsert(upsert));
      case "replaceOne" ->
          new ReplaceOneModel<>(
              arguments.getDocument("filter"),
              arguments.getDocument("replacement"),
              new ReplaceOptions().upsert(upsert));
      case "deleteOne" -> new DeleteOneModel<>(arguments.getDocument("filter"));
      case "deleteMany" -> new DeleteManyModel<>(arguments.getDocument("filter"));
      default -> throw new UnsupportedOperationException("bulkWrite request " + kind);
    };
  }
}
