package io.changecast.embedded.mongo.internal;

import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.backend.ArrayFilters;
import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.memory.MemoryCollection;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.oplog.Oplog;
import java.util.List;
import java.util.UUID;

/**
 * An in-memory collection that records every change to its documents in the {@link ChangeHistory},
 * with after images (and before images while {@code changeStreamPreAndPostImages} is enabled), and
 * its own drop, at the point where the change is applied. Every write path (insert, update,
 * replace, upsert, delete, findAndModify) goes through these hooks, under the collection's monitor,
 * so events come out in the order the writes were applied.
 */
final class CapturingCollection extends MemoryCollection {

  private final ChangeHistory history;
  private final UUID uuid = UUID.randomUUID();

  /** Whether the write in progress (under this monitor) is a replacement. */
  private boolean replacing;

  /** Whether an update in progress is a pipeline update (an update, though it replaces). */
  private boolean pipelineUpdate;

  /** {@code changeStreamPreAndPostImages.enabled}: whether changes keep their pre-image. */
  private volatile boolean preAndPostImages;

  /** Set while the collection is dropped as the target of a rename (which records no drop). */
  private volatile boolean silentDrop;

  CapturingCollection(
      MongoDatabase database,
      String collectionName,
      CollectionOptions options,
      CursorRegistry cursorRegistry,
      ChangeHistory history) {
    super(database, collectionName, options, cursorRegistry);
    this.history = history;
  }

  @Override
  public synchronized void addDocument(Document document) {
    super.addDocument(document);
    Document inserted = document.cloneDeeply();
    history.append(
        ChangeType.INSERT,
        getDatabaseName(),
        getCollectionName(),
        inserted.get(getIdField()),
        inserted,
        null,
        null,
        null,
        uuid,
        false);
  }

  /** The collection's UUID, as {@code listCollections} and {@code collectionUUID} report it. */
  UUID uuid() {
    return uuid;
  }

  boolean preAndPostImages() {
    return preAndPostImages;
  }

  void setPreAndPostImages(boolean enabled) {
    this.preAndPostImages = enabled;
  }

  /** Drops without recording a {@code drop} event (a rename's {@code dropTarget}). */
  void dropSilently(Runnable drop) {
    silentDrop = true;
    try {
      drop.run();
    } finally {
      silentDrop = false;
    }
  }

  @Override
  public synchronized void drop() {
    super.drop();
    if (!silentDrop) {
      history.append(
          ChangeType.DROP,
          getDatabaseName(),
          getCollectionName(),
          null,
          null,
          null,
          null,
          null,
          uuid,
          false);
    }
  }

  /**
   * A pipeline-style update of the document {@code id}: {@code updated} is the pipeline's result,
   * recorded as an {@code update} (with its computed {@code updateDescription}).
   */
  synchronized Document applyPipelineResult(Object id, Document updated, Oplog oplog) {
    boolean previous = pipelineUpdate;
    pipelineUpdate = true;
    try {
      return super.updateDocuments(
          new Document(getIdField(), id), updated, ArrayFilters.empty(), false, false, oplog);
    } finally {
      pipelineUpdate = previous;
    }
  }

  @Override
  public synchronized Document updateDocuments(
      Document selector,
      Document updateQuery,
      ArrayFilters arrayFilters,
      boolean isMulti,
      boolean isUpsert,
      Oplog oplog) {
    boolean previous = replacing;
    replacing = isReplacement(updateQuery);
    try {
      return super.updateDocuments(selector, updateQuery, arrayFilters, isMulti, isUpsert, oplog);
    } finally {
      replacing = previous;
    }
  }

  @Override
  public synchronized Document findAndModify(Document query) {
    if (query.get("update") instanceof List<?>) {
      return PipelineUpdates.findAndModify(this, query);
    }
    boolean previous = replacing;
    replacing = isReplacement(query.get("update"));
    try {
      return super.findAndModify(query);
    } finally {
      replacing = previous;
    }
  }

  @Override
  protected void handleUpdate(Integer position, Document oldDocument, Document newDocument) {
    super.handleUpdate(position, oldDocument, newDocument);
    Document before = oldDocument.cloneDeeply();
    Document after = newDocument.cloneDeeply();
    boolean replace = replacing && !pipelineUpdate;
    history.append(
        replace ? ChangeType.REPLACE : ChangeType.UPDATE,
        getDatabaseName(),
        getCollectionName(),
        after.get(getIdField()),
        after,
        before,
        replace ? null : UpdateDescriptions.describe(before, after),
        null,
        uuid,
        preAndPostImages);
  }

  @Override
  public synchronized void removeDocument(Document document) {
    int before = count();
    super.removeDocument(document);
    if (count() < before) {
      Document removed = document.cloneDeeply();
      history.append(
          ChangeType.DELETE,
          getDatabaseName(),
          getCollectionName(),
          removed.get(getIdField()),
          null,
          removed,
          null,
          null,
          uuid,
          preAndPostImages);
    }
  }

  /** A replacement document has no update operators; a pipeline or operators is an update. */
  private static boolean isReplacement(Object update) {
    if (!(update instanceof Document document)) {
      return false;
    }
    return document.keySet().stream().noneMatch(key -> key.startsWith("$"));
  }

  static boolean isCaptured(String databaseName, String collectionName) {
    return !List.of("admin", "local", "config").contains(databaseName)
        && !collectionName.startsWith("system.");
  }
}
