package io.changecast.embedded.mongo.internal;

import de.bwaldvogel.mongo.backend.DatabaseResolver;
import de.bwaldvogel.mongo.backend.Utils;
import de.bwaldvogel.mongo.backend.aggregation.Aggregation;
import de.bwaldvogel.mongo.bson.BsonTimestamp;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.exception.CursorNotFoundException;
import de.bwaldvogel.mongo.exception.MongoServerError;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.LongSupplier;

/**
 * The change-stream commands: {@code aggregate} with a leading {@code $changeStream} stage, and
 * {@code getMore}/{@code killCursors} on the cursors it opens. Waiting for events is not done here:
 * {@link AwaitingGetMoreHandler} calls {@link #tryGetMore} again when the history grows.
 */
public final class ChangeStreams {

  static final int DEFAULT_FIRST_BATCH = 101;
  static final int MAX_BATCH = 1_000;
  static final long DEFAULT_AWAIT_MS = 1_000;
  private static final long IDLE_CURSOR_TIMEOUT_NANOS = Duration.ofMinutes(10).toNanos();
  private static final Set<String> OPTIONS =
      Set.of(
          "fullDocument",
          "fullDocumentBeforeChange",
          "resumeAfter",
          "startAfter",
          "startAtOperationTime",
          "allChangesForCluster",
          "showExpandedEvents");
  private static final Set<String> ALLOWED_STAGES =
      Set.of("$match", "$project", "$addFields", "$set", "$unset", "$replaceRoot", "$replaceWith");

  private final ChangeHistory history;
  private final LongSupplier cursorIds;
  private final DatabaseResolver databases;
  private final EventShaper.CurrentDocuments currentDocuments;
  private final ConcurrentMap<Long, ChangeStreamCursor> cursors = new ConcurrentHashMap<>();

  ChangeStreams(
      ChangeHistory history,
      LongSupplier cursorIds,
      DatabaseResolver databases,
      EventShaper.CurrentDocuments currentDocuments) {
    this.history = history;
    this.cursorIds = cursorIds;
    this.databases = databases;
    this.currentDocuments = currentDocuments;
  }

  /** A parsed {@code getMore}. */
  public record GetMore(long cursorId, int batchSize, long maxAwaitMillis) {

    /** Parses a {@code getMore} command document. */
    public static GetMore parse(Document command) {
      long cursorId = ((Number) command.get("getMore")).longValue();
      Object batchSize = command.get("batchSize");
      Object maxTime = command.get("maxTimeMS");
      return new GetMore(
          cursorId,
          batchSize instanceof Number n && n.intValue() > 0 ? n.intValue() : MAX_BATCH,
          maxTime instanceof Number n ? Math.max(0, n.longValue()) : DEFAULT_AWAIT_MS);
    }
  }

  /**
   * Whether {@code command} is an {@code aggregate} whose pipeline starts with {@code
   * $changeStream}.
   */
  static boolean isChangeStream(Document command) {
    return command.get("pipeline") instanceof List<?> pipeline
        && !pipeline.isEmpty()
        && pipeline.get(0) instanceof Document first
        && first.containsKey("$changeStream");
  }

  /** Whether {@code cursorId} is a change stream cursor of this server. */
  public boolean owns(long cursorId) {
    return cursors.containsKey(cursorId);
  }

  /**
   * Handles {@code aggregate} with {@code $changeStream}: opens a cursor, returns the first batch.
   */
  Document aggregate(String databaseName, Document command) {
    reapIdleCursors();
    List<Document> pipeline = Aggregation.parse(command.get("pipeline"));
    Document options = (Document) pipeline.get(0).get("$changeStream");
    StreamScope scope = scope(databaseName, command.get("aggregate"), options);
    for (String option : options.keySet()) {
      if (!OPTIONS.contains(option)) {
        throw new MongoServerError(
            40415,
            "Location40415",
            "BSON field '$changeStream." + option + "' is an unknown field.");
      }
    }
    String fullDocument = option(options, "fullDocument", "default");
    if (!Set.of("default", "updateLookup", "whenAvailable", "required").contains(fullDocument)) {
      throw new MongoServerError(
          2, "BadValue", "Enumeration value '" + fullDocument + "' for field 'fullDocument'");
    }
    String beforeChange = option(options, "fullDocumentBeforeChange", "off");
    if (!Set.of("off", "whenAvailable", "required").contains(beforeChange)) {
      throw new MongoServerError(
          2,
          "BadValue",
          "Enumeration value '" + beforeChange + "' for field 'fullDocumentBeforeChange'");
    }
    long position = startPosition(options);
    EventShaper shaper = new EventShaper(fullDocument, beforeChange, currentDocuments);
    Aggregation stages = stages(pipeline.subList(1, pipeline.size()));
    ChangeStreamCursor cursor =
        new ChangeStreamCursor(cursorIds.getAsLong(), scope, history, shaper, stages, position);
    int batchSize = DEFAULT_FIRST_BATCH;
    if (command.get("cursor") instanceof Document cursorOptions
        && cursorOptions.get("batchSize") instanceof Number n) {
      batchSize = n.intValue();
    }
    ChangeStreamCursor.Batch batch = cursor.next(batchSize);
    cursors.put(cursor.id(), cursor);
    return reply(cursor, "firstBatch", batch);
  }

  /** The position of a cursor, to wait for events after it. */
  long position(long cursorId) {
    return cursor(cursorId).position();
  }

  /**
   * The {@code getMore} reply when there are events (or {@code force}), else empty. An error kills
   * the cursor, as MongoDB does.
   */
  public Optional<Document> tryGetMore(GetMore getMore, boolean force) {
    ChangeStreamCursor cursor = cursor(getMore.cursorId());
    ChangeStreamCursor.Batch batch;
    try {
      batch = cursor.next(getMore.batchSize());
    } catch (RuntimeException e) {
      cursors.remove(getMore.cursorId());
      throw e;
    }
    if (batch.events().isEmpty() && !force) {
      return Optional.empty();
    }
    return Optional.of(reply(cursor, "nextBatch", batch));
  }

  /** Closes a cursor; {@code false} when it is not a change stream cursor of this server. */
  boolean kill(long cursorId) {
    return cursors.remove(cursorId) != null;
  }

  int openCursors() {
    return cursors.size();
  }

  private ChangeStreamCursor cursor(long cursorId) {
    ChangeStreamCursor cursor = cursors.get(cursorId);
    if (cursor == null) {
      throw new CursorNotFoundException(cursorId);
    }
    return cursor;
  }

  private Document reply(
      ChangeStreamCursor cursor, String batchField, ChangeStreamCursor.Batch batch) {
    Document cursorDocument =
        new Document(batchField, batch.events())
            .append("postBatchResumeToken", batch.postBatchResumeToken())
            .append("id", cursor.id())
            .append("ns", cursor.scope().cursorNamespace());
    Document reply = new Document("cursor", cursorDocument);
    Utils.markOkay(reply);
    // as a replica-set member does; the Kafka connector reads it next to the resume token
    reply.put("operationTime", ClusterTime.toTimestamp(history.highWaterMark()));
    return reply;
  }

  private static StreamScope scope(String databaseName, Object target, Document options) {
    boolean cluster = Utils.isTrue(options.get("allChangesForCluster"));
    if (cluster) {
      if (!"admin".equals(databaseName) || !(target instanceof Number)) {
        throw new MongoServerError(
            73,
            "InvalidNamespace",
            "A $changeStream with 'allChangesForCluster:true' may only be opened on the 'admin'"
                + " database, and with no collection name");
      }
      return StreamScope.deployment();
    }
    if (List.of("admin", "local", "config").contains(databaseName)) {
      throw new MongoServerError(
          73,
          "InvalidNamespace",
          "$changeStream may not be opened on the internal " + databaseName + " database");
    }
    if (target instanceof String collection) {
      if (collection.startsWith("system.")) {
        throw new MongoServerError(
            73,
            "InvalidNamespace",
            "$changeStream may not be opened on the internal " + collection + " collection");
      }
      return new StreamScope(databaseName, collection);
    }
    return new StreamScope(databaseName, null);
  }

  private long startPosition(Document options) {
    List<String> given = new ArrayList<>();
    for (String key : List.of("resumeAfter", "startAfter", "startAtOperationTime")) {
      if (options.get(key) != null) {
        given.add(key);
      }
    }
    if (given.size() > 1) {
      throw new MongoServerError(
          40674,
          "Location40674",
          "Only one type of resume option is allowed, but multiple were found.");
    }
    long position;
    if (given.isEmpty()) {
      return history.highWaterMark();
    } else if (given.get(0).equals("startAtOperationTime")) {
      Object time = options.get("startAtOperationTime");
      if (!(time instanceof BsonTimestamp timestamp)) {
        throw new MongoServerError(
            14, "TypeMismatch", "startAtOperationTime must be a timestamp, was: " + time);
      }
      // inclusive: everything after the instant just before it
      position = history.positionBefore(timestamp.getValue());
    } else {
      position = ClusterTime.fromToken(options.get(given.get(0)));
    }
    history.checkRetained(position);
    return position;
  }

  private Aggregation stages(List<Document> stages) {
    if (stages.isEmpty()) {
      return null;
    }
    List<Document> translated = new ArrayList<>();
    for (Document stage : stages) {
      String name = stage.keySet().iterator().next();
      if (stage.size() != 1 || !ALLOWED_STAGES.contains(name)) {
        throw new MongoServerError(
            20, "IllegalOperation", name + " is not permitted in a $changeStream pipeline");
      }
      Object spec = stage.get(name);
      switch (name) {
        case "$set" -> translated.add(new Document("$addFields", spec));
        case "$replaceWith" ->
            translated.add(new Document("$replaceRoot", new Document("newRoot", spec)));
        default -> translated.add(stage);
      }
    }
    return Aggregation.fromPipeline(translated, databases, null, null, null);
  }

  private void reapIdleCursors() {
    long now = System.nanoTime();
    cursors.values().removeIf(cursor -> now - cursor.lastUsedNanos() > IDLE_CURSOR_TIMEOUT_NANOS);
  }

  private static String option(Document options, String key, String defaultValue) {
    Object value = options.get(key);
    return value == null ? defaultValue : value.toString();
  }
}
