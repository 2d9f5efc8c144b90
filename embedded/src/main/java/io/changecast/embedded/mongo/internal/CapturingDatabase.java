package io.changecast.embedded.mongo.internal;

import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.memory.MemoryCollection;
import de.bwaldvogel.mongo.backend.memory.MemoryDatabase;
import de.bwaldvogel.mongo.bson.Document;

/**
 * An in-memory database whose user collections record their changes, and whose collection creations
 * (explicit or implicit) are recorded as {@code create} events.
 */
final class CapturingDatabase extends MemoryDatabase {

  /** The {@code create} command's options the memory backend does not keep, for the event. */
  private static final ThreadLocal<Document> CREATE_OPTIONS = new ThreadLocal<>();

  private final ChangeHistory history;

  CapturingDatabase(String databaseName, CursorRegistry cursorRegistry, ChangeHistory history) {
    super(databaseName, cursorRegistry);
    this.history = history;
  }

  /** Runs {@code create} with {@code options} reported in the {@code create} event. */
  static <T> T creating(Document options, java.util.function.Supplier<T> create) {
    CREATE_OPTIONS.set(options);
    try {
      return create.get();
    } finally {
      CREATE_OPTIONS.remove();
    }
  }

  @Override
  protected MemoryCollection openOrCreateCollection(
      String collectionName, CollectionOptions options) {
    // history is still null while the superclass constructor creates the system collections
    if (history == null || !CapturingCollection.isCaptured(getDatabaseName(), collectionName)) {
      return super.openOrCreateCollection(collectionName, options);
    }
    CapturingCollection collection =
        new CapturingCollection(this, collectionName, options, cursorRegistry, history);
    Document description = new Document();
    Document requested = CREATE_OPTIONS.get();
    if (requested != null) {
      description.putAll(requested);
      Object images = requested.get("changeStreamPreAndPostImages");
      collection.setPreAndPostImages(
          images instanceof Document d && Boolean.TRUE.equals(d.get("enabled")));
    }
    description.put(
        "idIndex",
        new Document("v", 2).append("key", new Document("_id", 1)).append("name", "_id_"));
    history.append(
        ChangeType.CREATE, getDatabaseName(), collectionName, description, collection.uuid());
    return collection;
  }
}
