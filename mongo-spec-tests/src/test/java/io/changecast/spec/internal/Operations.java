package io.changecast.spec.internal;

import com.mongodb.MongoNamespace;
import com.mongodb.client.AggregateIterable;
import com.mongodb.client.ChangeStreamIterable;
import com.mongodb.client.ClientSession;
import com.mongodb.client.DistinctIterable;
import com.mongodb.client.FindIterable;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoCursor;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.MongoIterable;
import com.mongodb.client.model.CountOptions;
import com.mongodb.client.model.CreateCollectionOptions;
import com.mongodb.client.model.DeleteOptions;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.RenameCollectionOptions;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.changestream.FullDocument;
import com.mongodb.client.model.changestream.FullDocumentBeforeChange;
import com.mongodb.client.result.DeleteResult;
import com.mongodb.client.result.InsertManyResult;
import com.mongodb.client.result.UpdateResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonInt64;
import org.bson.BsonNull;
import org.bson.BsonString;
import org.bson.BsonValue;

/**
 * The operations of the unified test format that the change stream, transaction and session files
 * use, each run with the Java driver's public API. An operation returns a {@link BsonValue} (or a
 * cursor for {@code createChangeStream}) or throws what the driver threw.
 */
public final class Operations {

  /** How long {@code iterateUntilDocumentOrError} waits for a change before it gives up. */
  static final Duration ITERATION_DEADLINE = Duration.ofSeconds(3);

  private final Entities entities;
  private final TestRunnerOperations testRunner;
  private final TestRun run;

  Operations(Entities entities, Set<String> failPoints, TestRun run) {
    this.entities = entities;
    this.run = run;
    this.testRunner = new TestRunnerOperations(entities, failPoints, run);
  }

  /** Runs operation {@code op} ({@code name}, {@code object}, {@code arguments}). */
  Object execute(BsonDocument op) {
    String name = op.getString("name").getValue();
    String object = op.getString("object").getValue();
    Args args = new Args(name, op.getDocument("arguments", new BsonDocument()), entities);
    if (object.equals("testRunner")) {
      return testRunner.execute(name, args);
    }
    Object target = entities.get(object);
    Object result;
    if (target instanceof MongoCollection<?>) {
      result = collection(name, entities.collection(object), args);
    } else if (target instanceof MongoDatabase database) {
      result = database(name, database, args);
    } else if (target instanceof MongoClient client) {
      result = client(name, client, args);
    } else if (target instanceof ClientSession session) {
      result = session(name, session, args);
    } else if (target instanceof MongoCursor<?>) {
      result = cursor(name, entities.cursor(object), args);
    } else {
      throw new UnsupportedOperationException(name + " on " + object);
    }
    args.checkAllUsed();
    return result;
  }

  private Object client(String name, MongoClient client, Args args) {
    ClientSession session = args.optionalSession();
    return switch (name) {
      case "createChangeStream" -> {
        List<BsonDocument> pipeline = args.pipeline();
        yield changeStream(
            session == null
                ? client.watch(pipeline, BsonDocument.class)
                : client.watch(session, pipeline, BsonDocument.class),
            args);
      }
      case "listDatabases" ->
          array(
              session == null
                  ? client.listDatabases(BsonDocument.class)
                  : client.listDatabases(session, BsonDocument.class));
      case "listDatabaseNames" ->
          strings(session == null ? client.listDatabaseNames() : client.listDatabaseNames(session));
      default -> throw new UnsupportedOperationException("client operation " + name);
    };
  }

  private Object database(String name, MongoDatabase database, Args args) {
    ClientSession session = args.optionalSession();
    switch (name) {
      case "createChangeStream" -> {
        List<BsonDocument> pipeline = args.pipeline();
        return changeStream(
            session == null
                ? database.watch(pipeline, BsonDocument.class)
                : database.watch(session, pipeline, BsonDocument.class),
            args);
      }
      case "aggregate" -> {
        List<BsonDocument> pipeline = args.pipeline();
        return aggregate(
            session == null
                ? database.aggregate(pipeline, BsonDocument.class)
                : database.aggregate(session, pipeline, BsonDocument.class),
            args);
      }
      case "runCommand" -> {
        BsonDocument command = args.document("command");
        args.string("commandName");
        com.mongodb.ReadPreference readPreference =
            args.has("readPreference")
                ? Entities.readPreference(args.document("readPreference"))
                : com.mongodb.ReadPreference.primary();
        return session == null
            ? database.runCommand(command, readPreference, BsonDocument.class)
            : database.runCommand(session, command, readPreference, BsonDocument.class);
      }
      case "createCollection" -> {
        String collection = args.string("collection");
        CreateCollectionOptions options = new CreateCollectionOptions();
        if (args.has("changeStreamPreAndPostImages")) {
          options.changeStreamPreAndPostImagesOptions(
              new com.mongodb.client.model.ChangeStreamPreAndPostImagesOptions(
                  args.document("changeStreamPreAndPostImages").getBoolean("enabled").getValue()));
        }
        if (session == null) {
          database.createCollection(collection, options);
        } else {
          database.createCollection(session, collection, options);
        }
        return null;
      }
      case "dropCollection" -> {
        MongoCollection<BsonDocument> collection =
            database.getCollection(args.string("collection"), BsonDocument.class);
        if (session == null) {
          collection.drop();
        } else {
          collection.drop(session);
        }
        return null;
      }
      case "listCollections" -> {
        return array(
            session == null
                ? database.listCollections(BsonDocument.class)
                : database.listCollections(session, BsonDocument.class));
      }
      case "listCollectionNames" -> {
        return strings(
            session == null
                ? database.listCollectionNames()
                : database.listCollectionNames(session));
      }
      default -> throw new UnsupportedOperationException("database operation " + name);
    }
  }

  private Object collection(String name, MongoCollection<BsonDocument> collection, Args args) {
    ClientSession session = args.optionalSession();
    switch (name) {
      case "insertOne" -> {
        BsonDocument document = args.document("document");
        var result =
            session == null
                ? collection.insertOne(document)
                : collection.insertOne(session, document);
        return new BsonDocument("insertedId", result.getInsertedId());
      }
      case "insertMany" -> {
        List<BsonDocument> documents = args.documents("documents");
        if (args.has("ordered")) {
          throw new UnsupportedOperationException("insertMany ordered");
        }
        InsertManyResult result =
            session == null
                ? collection.insertMany(documents)
                : collection.insertMany(session, documents);
        BsonDocument ids = new BsonDocument();
        result.getInsertedIds().forEach((i, id) -> ids.put(String.valueOf(i), id));
        return new BsonDocument("insertedIds", ids);
      }
      case "updateOne", "updateMany" -> {
        BsonDocument filter = args.document("filter");
        BsonValue update = args.value("update");
        UpdateOptions options = new UpdateOptions();
        if (args.has("upsert")) {
          options.upsert(args.bool("upsert"));
        }
        boolean one = name.equals("updateOne");
        UpdateResult result;
        if (update.isArray()) {
          List<BsonDocument> pipeline = documentsOf(update.asArray());
          result =
              session == null
                  ? (one
                      ? collection.updateOne(filter, pipeline, options)
                      : collection.updateMany(filter, pipeline, options))
                  : (one
                      ? collection.updateOne(session, filter, pipeline, options)
                      : collection.updateMany(session, filter, pipeline, options));
        } else {
          BsonDocument document = update.asDocument();
          result =
              session == null
                  ? (one
                      ? collection.updateOne(filter, document, options)
                      : collection.updateMany(filter, document, options))
                  : (one
                      ? collection.updateOne(session, filter, document, options)
                      : collection.updateMany(session, filter, document, options));
        }
        return updateResult(result);
      }
      case "replaceOne" -> {
        BsonDocument filter = args.document("filter");
        BsonDocument replacement = args.document("replacement");
        ReplaceOptions options = new ReplaceOptions();
        if (args.has("upsert")) {
          options.upsert(args.bool("upsert"));
        }
        return updateResult(
            session == null
                ? collection.replaceOne(filter, replacement, options)
                : collection.replaceOne(session, filter, replacement, options));
      }
      case "deleteOne", "deleteMany" -> {
        BsonDocument filter = args.document("filter");
        DeleteOptions options = new DeleteOptions();
        boolean one = name.equals("deleteOne");
        DeleteResult result =
            session == null
                ? (one
                    ? collection.deleteOne(filter, options)
                    : collection.deleteMany(filter, options))
                : (one
                    ? collection.deleteOne(session, filter, options)
                    : collection.deleteMany(session, filter, options));
        return new BsonDocument("deletedCount", new BsonInt64(result.getDeletedCount()));
      }
      case "find" -> {
        BsonDocument filter = args.has("filter") ? args.document("filter") : new BsonDocument();
        FindIterable<BsonDocument> find =
            session == null ? collection.find(filter) : collection.find(session, filter);
        if (args.has("sort")) {
          find.sort(args.document("sort"));
        }
        if (args.has("projection")) {
          find.projection(args.document("projection"));
        }
        if (args.has("limit")) {
          find.limit(args.integer("limit"));
        }
        if (args.has("skip")) {
          find.skip(args.integer("skip"));
        }
        if (args.has("batchSize")) {
          find.batchSize(args.integer("batchSize"));
        }
        if (args.has("comment")) {
          find.comment(args.value("comment"));
        }
        return array(find);
      }
      case "findOneAndDelete" -> {
        BsonDocument filter = args.document("filter");
        com.mongodb.client.model.FindOneAndDeleteOptions options =
            new com.mongodb.client.model.FindOneAndDeleteOptions();
        if (args.has("sort")) {
          options.sort(args.document("sort"));
        }
        BsonDocument found =
            session == null
                ? collection.findOneAndDelete(filter, options)
                : collection.findOneAndDelete(session, filter, options);
        return found == null ? BsonNull.VALUE : found;
      }
      case "findOneAndReplace" -> {
        BsonDocument filter = args.document("filter");
        BsonDocument replacement = args.document("replacement");
        com.mongodb.client.model.FindOneAndReplaceOptions options =
            new com.mongodb.client.model.FindOneAndReplaceOptions();
        if (args.has("returnDocument")) {
          options.returnDocument(
              args.string("returnDocument").equalsIgnoreCase("after")
                  ? ReturnDocument.AFTER
                  : ReturnDocument.BEFORE);
        }
        if (args.has("upsert")) {
          options.upsert(args.bool("upsert"));
        }
        if (args.has("sort")) {
          options.sort(args.document("sort"));
        }
        BsonDocument found =
            session == null
                ? collection.findOneAndReplace(filter, replacement, options)
                : collection.findOneAndReplace(session, filter, replacement, options);
        return found == null ? BsonNull.VALUE : found;
      }
      case "bulkWrite" -> {
        return BulkWrites.run(collection, session, args);
      }
      case "createIndex" -> {
        BsonDocument keys = args.document("keys");
        com.mongodb.client.model.IndexOptions options = new com.mongodb.client.model.IndexOptions();
        if (args.has("name")) {
          options.name(args.string("name"));
        }
        String created =
            session == null
                ? collection.createIndex(keys, options)
                : collection.createIndex(session, keys, options);
        return new BsonString(created);
      }
      case "count" -> {
        // the Java driver 5 has no count helper: the count command, as drivers' count() sent it
        BsonDocument command =
            new BsonDocument("count", new BsonString(collection.getNamespace().getCollectionName()))
                .append("query", args.document("filter"));
        com.mongodb.client.MongoDatabase database =
            entities
                .clientOfCollection(collection)
                .getDatabase(collection.getNamespace().getDatabaseName());
        BsonDocument reply =
            session == null
                ? database.runCommand(command, BsonDocument.class)
                : database.runCommand(session, command, BsonDocument.class);
        return new BsonInt64(reply.getNumber("n").longValue());
      }
      case "findOneAndUpdate" -> {
        BsonDocument filter = args.document("filter");
        BsonDocument update = args.document("update");
        FindOneAndUpdateOptions options = new FindOneAndUpdateOptions();
        if (args.has("returnDocument")) {
          options.returnDocument(
              args.string("returnDocument").equalsIgnoreCase("after")
                  ? ReturnDocument.AFTER
                  : ReturnDocument.BEFORE);
        }
        if (args.has("upsert")) {
          options.upsert(args.bool("upsert"));
        }
        BsonDocument found =
            session == null
                ? collection.findOneAndUpdate(filter, update, options)
                : collection.findOneAndUpdate(session, filter, update, options);
        return found == null ? BsonNull.VALUE : found;
      }
      case "aggregate" -> {
        List<BsonDocument> pipeline = args.pipeline();
        return aggregate(
            session == null
                ? collection.aggregate(pipeline)
                : collection.aggregate(session, pipeline),
            args);
      }
      case "distinct" -> {
        String field = args.string("fieldName");
        BsonDocument filter = args.has("filter") ? args.document("filter") : new BsonDocument();
        DistinctIterable<BsonValue> distinct =
            session == null
                ? collection.distinct(field, filter, BsonValue.class)
                : collection.distinct(session, field, filter, BsonValue.class);
        return new BsonArray(distinct.into(new ArrayList<>()));
      }
      case "countDocuments" -> {
        BsonDocument filter = args.document("filter");
        CountOptions options = new CountOptions();
        return new BsonInt64(
            session == null
                ? collection.countDocuments(filter, options)
                : collection.countDocuments(session, filter, options));
      }
      case "estimatedDocumentCount" -> {
        return new BsonInt64(collection.estimatedDocumentCount());
      }
      case "createChangeStream" -> {
        List<BsonDocument> pipeline = args.pipeline();
        return changeStream(
            session == null
                ? collection.watch(pipeline, BsonDocument.class)
                : collection.watch(session, pipeline, BsonDocument.class),
            args);
      }
      case "listIndexes" -> {
        return array(
            session == null
                ? collection.listIndexes(BsonDocument.class)
                : collection.listIndexes(session, BsonDocument.class));
      }
      case "rename" -> {
        MongoNamespace to =
            new MongoNamespace(collection.getNamespace().getDatabaseName(), args.string("to"));
        RenameCollectionOptions options = new RenameCollectionOptions();
        if (args.has("dropTarget")) {
          options.dropTarget(args.bool("dropTarget"));
        }
        if (session == null) {
          collection.renameCollection(to, options);
        } else {
          collection.renameCollection(session, to, options);
        }
        return null;
      }
      case "drop" -> {
        if (session == null) {
          collection.drop();
        } else {
          collection.drop(session);
        }
        return null;
      }
      default -> throw new UnsupportedOperationException("collection operation " + name);
    }
  }

  private Object session(String name, ClientSession session, Args args) {
    switch (name) {
      case "startTransaction" -> {
        if (args.isEmpty()) {
          session.startTransaction();
        } else {
          session.startTransaction(Entities.transactionOptions(args.rest()));
        }
        return null;
      }
      case "commitTransaction" -> {
        session.commitTransaction();
        return null;
      }
      case "abortTransaction" -> {
        session.abortTransaction();
        return null;
      }
      case "endSession" -> {
        session.close();
        return null;
      }
      case "withTransaction" -> {
        List<BsonValue> callback = args.array("callback");
        BsonDocument options = args.rest();
        com.mongodb.client.TransactionBody<Object> body =
            () -> {
              for (BsonValue operation : callback) {
                run.operation(operation.asDocument());
              }
              return null;
            };
        if (options.isEmpty()) {
          session.withTransaction(body);
        } else {
          session.withTransaction(body, Entities.transactionOptions(options));
        }
        return null;
      }
      default -> throw new UnsupportedOperationException("session operation " + name);
    }
  }

  private Object cursor(String name, MongoCursor<BsonDocument> cursor, Args args) {
    switch (name) {
      case "iterateUntilDocumentOrError" -> {
        long deadline = System.nanoTime() + ITERATION_DEADLINE.toNanos();
        while (System.nanoTime() < deadline) {
          BsonDocument next = cursor.tryNext();
          if (next != null) {
            return next;
          }
        }
        throw new AssertionError(
            "iterateUntilDocumentOrError: no document and no error within " + ITERATION_DEADLINE);
      }
      case "iterateOnce" -> {
        BsonDocument next = cursor.tryNext();
        return next;
      }
      case "close" -> {
        cursor.close();
        return null;
      }
      default -> throw new UnsupportedOperationException("cursor operation " + name);
    }
  }

  private static MongoCursor<BsonDocument> changeStream(
      ChangeStreamIterable<BsonDocument> stream, Args args) {
    for (String key : List.copyOf(args.remaining())) {
      switch (key) {
        case "batchSize" -> stream.batchSize(args.integer(key));
        case "comment" -> stream.comment(args.value(key));
        case "fullDocument" -> stream.fullDocument(FullDocument.fromString(args.string(key)));
        case "fullDocumentBeforeChange" ->
            stream.fullDocumentBeforeChange(FullDocumentBeforeChange.fromString(args.string(key)));
        case "resumeAfter" -> stream.resumeAfter(args.document(key));
        case "startAfter" -> stream.startAfter(args.document(key));
        case "startAtOperationTime" -> stream.startAtOperationTime(args.value(key).asTimestamp());
        case "maxAwaitTimeMS" -> stream.maxAwaitTime(args.integer(key), TimeUnit.MILLISECONDS);
        case "showExpandedEvents" -> stream.showExpandedEvents(args.bool(key));
        default -> {
          // left for checkAllUsed to report
        }
      }
    }
    return stream.withDocumentClass(BsonDocument.class).cursor();
  }

  private static BsonArray aggregate(AggregateIterable<BsonDocument> aggregate, Args args) {
    if (args.has("batchSize")) {
      aggregate.batchSize(args.integer("batchSize"));
    }
    if (args.has("comment")) {
      aggregate.comment(args.value("comment"));
    }
    if (args.has("let")) {
      aggregate.let(args.document("let"));
    }
    if (args.has("maxTimeMS")) {
      aggregate.maxTime(args.value("maxTimeMS").asNumber().longValue(), TimeUnit.MILLISECONDS);
    }
    return array(aggregate);
  }

  private static BsonDocument updateResult(UpdateResult result) {
    BsonDocument document =
        new BsonDocument("matchedCount", new BsonInt64(result.getMatchedCount()))
            .append("modifiedCount", new BsonInt64(result.getModifiedCount()))
            .append("upsertedCount", new BsonInt32(result.getUpsertedId() == null ? 0 : 1));
    if (result.getUpsertedId() != null) {
      document.append("upsertedId", result.getUpsertedId());
    }
    return document;
  }

  private static BsonArray array(MongoIterable<BsonDocument> iterable) {
    return new BsonArray(iterable.into(new ArrayList<>()));
  }

  private static BsonArray strings(MongoIterable<String> iterable) {
    BsonArray array = new BsonArray();
    iterable.forEach((Consumer<String>) s -> array.add(new BsonString(s)));
    return array;
  }

  private static List<BsonDocument> documentsOf(BsonArray array) {
    List<BsonDocument> documents = new ArrayList<>();
    array.forEach(v -> documents.add(v.asDocument()));
    return documents;
  }
}
