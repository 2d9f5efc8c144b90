package io.changecast.embedded.mongo.internal;

import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.backend.DatabaseResolver;
import de.bwaldvogel.mongo.backend.Utils;
import de.bwaldvogel.mongo.backend.aggregation.Aggregation;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.bson.ObjectId;
import de.bwaldvogel.mongo.exception.MongoServerError;
import de.bwaldvogel.mongo.exception.MongoServerException;
import de.bwaldvogel.mongo.oplog.NoopOplog;
import de.bwaldvogel.mongo.oplog.Oplog;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The {@code update} command when a statement's {@code u} is a pipeline ({@code $set}/{@code
 * $addFields}, {@code $unset}/{@code $project}, {@code $replaceRoot}/{@code $replaceWith}), which
 * mongo-java-server does not support: each matched document is run through the pipeline and the
 * result stored, recorded as an {@code update} event as MongoDB records it. Statements with update
 * operators or a replacement in the same command go to the collection as usual. {@code
 * findAndModify} with a pipeline is served here too.
 */
final class PipelineUpdates {

  private PipelineUpdates() {}

  /** Whether any statement of the {@code update} command is a pipeline. */
  static boolean applies(Document command) {
    return command.get("updates") instanceof List<?> updates
        && updates.stream()
            .anyMatch(u -> u instanceof Document statement && statement.get("u") instanceof List);
  }

  /**
   * Runs the command; {@code plain} runs a one-statement {@code update} command the usual way (for
   * statements with operators or a replacement).
   */
  static Document run(
      MongoDatabase database,
      Document command,
      DatabaseResolver databases,
      Oplog oplog,
      UnaryOperator<Document> plain) {
    String name = String.valueOf(command.get("update"));
    List<?> updates = (List<?>) command.get("updates");
    int matched = 0;
    int modified = 0;
    List<Document> upserted = new ArrayList<>();
    List<Document> writeErrors = new ArrayList<>();
    boolean ordered = !Boolean.FALSE.equals(command.get("ordered"));
    for (int i = 0; i < updates.size(); i++) {
      Document statement = (Document) updates.get(i);
      try {
        Document result =
            statement.get("u") instanceof List
                ? apply(database, name, statement, databases, oplog)
                : plain(name, statement, plain);
        matched += ((Number) result.getOrDefault("n", 0)).intValue();
        modified += ((Number) result.getOrDefault("nModified", 0)).intValue();
        if (result.get("upserted") != null) {
          upserted.add(new Document("index", i).append("_id", result.get("upserted")));
        }
      } catch (MongoServerException e) {
        Document error = new Document("index", i).append("errmsg", e.getMessageWithoutErrorCode());
        if (e instanceof MongoServerError serverError) {
          error.append("code", serverError.getCode());
          error.putIfNotNull("codeName", serverError.getCodeName());
        }
        writeErrors.add(error);
        if (ordered) {
          break;
        }
      }
    }
    Document reply = new Document("n", matched + upserted.size()).append("nModified", modified);
    if (!upserted.isEmpty()) {
      reply.put("upserted", upserted);
    }
    if (!writeErrors.isEmpty()) {
      reply.put("writeErrors", writeErrors);
    }
    Utils.markOkay(reply);
    return reply;
  }

  private static Document apply(
      MongoDatabase database,
      String name,
      Document statement,
      DatabaseResolver databases,
      Oplog oplog) {
    Document query = statement.get("q") instanceof Document q ? q : new Document();
    boolean multi = Utils.isTrue(statement.get("multi"));
    boolean upsert = Utils.isTrue(statement.get("upsert"));
    MongoCollection<?> collection = database.resolveCollection(name, false);
    if (collection == null) {
      if (!upsert) {
        return new Document("n", 0).append("nModified", 0);
      }
      collection = database.createCollectionOrThrowIfExists(name);
    }
    Object update = statement.get("u");
    StreamPipeline pipeline = StreamPipeline.forUpdate(Aggregation.parse(update), databases);
    List<Document> targets;
    try (Stream<Document> found = collection.handleQueryAsStream(query)) {
      targets = found.limit(multi ? Long.MAX_VALUE : 1).collect(Collectors.toList());
    }
    if (targets.isEmpty() && upsert) {
      Document inserted = upsert(collection, query, pipeline);
      return new Document("n", 0).append("nModified", 0).append("upserted", inserted.get("_id"));
    }
    int changed = 0;
    for (Document target : targets) {
      if (update(collection, target, pipeline, oplog) != null) {
        changed++;
      }
    }
    return new Document("n", targets.size()).append("nModified", changed);
  }

  /**
   * {@code findAndModify} whose {@code update} is a pipeline, with MongoDB's reply ({@code
   * lastErrorObject}, {@code value} before or after as {@code new} says, projected by {@code
   * fields}).
   */
  static Document findAndModify(CapturingCollection collection, Document command) {
    StreamPipeline pipeline =
        StreamPipeline.forUpdate(Aggregation.parse(command.get("update")), null);
    Document selector = command.get("query") instanceof Document q ? q : new Document();
    Document queryObject = new Document("query", selector);
    if (command.get("sort") != null) {
      queryObject.put("orderby", command.get("sort"));
    }
    boolean returnNew = Utils.isTrue(command.get("new"));
    Document found = null;
    for (Document document : collection.handleQuery(queryObject, 0, 1)) {
      found = document.cloneDeeply();
    }
    Document value = null;
    Document lastErrorObject;
    if (found != null) {
      Document updated = update(collection, found, pipeline, NoopOplog.get());
      value = returnNew ? (updated == null ? found : updated) : found;
      lastErrorObject = new Document("n", 1).append("updatedExisting", true);
    } else if (Utils.isTrue(command.get("upsert"))) {
      Document inserted = upsert(collection, selector, pipeline);
      value = returnNew ? inserted : null;
      lastErrorObject =
          new Document("n", 1)
              .append("updatedExisting", false)
              .append("upserted", inserted.get("_id"));
    } else {
      lastErrorObject = new Document("n", 0).append("updatedExisting", false);
    }
    if (value != null && command.get("fields") instanceof Document fields && !fields.isEmpty()) {
      value = result(StreamPipeline.parse(List.of(new Document("$project", fields)), null), value);
    }
    Document reply = new Document("lastErrorObject", lastErrorObject).append("value", value);
    Utils.markOkay(reply);
    return reply;
  }

  /** Stores the pipeline's result for {@code target}; {@code null} when it changed nothing. */
  private static Document update(
      MongoCollection<?> collection, Document target, StreamPipeline pipeline, Oplog oplog) {
    Document updated = result(pipeline, target.cloneDeeply());
    Object id = target.get("_id");
    if (!id.equals(updated.get("_id"))) {
      throw new MongoServerError(
          66,
          "ImmutableField",
          "After applying the update, the (immutable) field '_id' was found to have been"
              + " altered to _id: "
              + updated.get("_id"));
    }
    if (updated.equals(target)) {
      return null;
    }
    if (!(collection instanceof CapturingCollection capturing)) {
      throw new MongoServerError(10156, "cannot update system collection");
    }
    capturing.applyPipelineResult(id, updated, oplog);
    return updated;
  }

  /** Inserts the pipeline's result on the filter's equality fields (and an {@code _id}). */
  private static Document upsert(
      MongoCollection<?> collection, Document query, StreamPipeline pipeline) {
    Document seed = new Document();
    for (Map.Entry<String, Object> entry : query.entrySet()) {
      if (!entry.getKey().startsWith("$") && !(entry.getValue() instanceof Document)) {
        Utils.changeSubdocumentValue(seed, entry.getKey(), entry.getValue());
      }
    }
    Document inserted = result(pipeline, seed);
    if (!inserted.containsKey("_id")) {
      Document withId = new Document("_id", new ObjectId());
      withId.putAll(inserted);
      inserted = withId;
    }
    collection.insertDocuments(List.of(inserted), true);
    return inserted;
  }

  private static Document plain(String name, Document statement, UnaryOperator<Document> plain) {
    Document reply =
        plain.apply(new Document("update", name).append("updates", List.of(statement)));
    if (reply.get("writeErrors") instanceof List<?> errors && !errors.isEmpty()) {
      Document error = (Document) errors.get(0);
      throw new MongoServerError(
          ((Number) error.get("code")).intValue(),
          (String) error.get("codeName"),
          String.valueOf(error.get("errmsg")));
    }
    Document result =
        new Document("n", reply.getOrDefault("n", 0))
            .append("nModified", reply.getOrDefault("nModified", 0));
    if (reply.get("upserted") instanceof List<?> upserted && !upserted.isEmpty()) {
      result.put("n", 0);
      result.put("upserted", ((Document) upserted.get(0)).get("_id"));
    }
    return result;
  }

  private static Document result(StreamPipeline pipeline, Document document) {
    List<Document> results = pipeline.apply(document).collect(Collectors.toList());
    if (results.size() != 1) {
      throw new MongoServerError(
          72, "InvalidOptions", "An update pipeline must produce exactly one document");
    }
    return results.get(0);
  }
}
