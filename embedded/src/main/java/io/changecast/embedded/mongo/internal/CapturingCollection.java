package io.changecast.embedded.mongo.internal;

import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.backend.ArrayFilters;
import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.memory.MemoryCollection;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.oplog.Oplog;
import java.util.List;

/**
 * An in-memory collection that records every change to its documents in the {@link ChangeHistory},
 * with before and after images, at the point where the change is applied. Every write path (insert,
 * update, replace, upsert, delete, findAndModify) goes through these hooks, under the collection's
 * monitor, so events come out in the order the writes were applied.
 */
final class CapturingCollection extends MemoryCollection {

  private final ChangeHistory history;

  /** Whether the write in progress (under this monitor) is a replacement. */
  private boolean replacing;

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
        null);
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
    history.append(
        replacing ? ChangeType.REPLACE : ChangeType.UPDATE,
        getDatabaseName(),
        getCollectionName(),
        after.get(getIdField()),
        after,
        before,
        replacing ? null : UpdateDescriptions.describe(before, after));
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
          null);
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
