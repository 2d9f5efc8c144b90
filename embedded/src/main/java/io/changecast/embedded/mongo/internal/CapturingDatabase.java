package io.changecast.embedded.mongo.internal;

import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.memory.MemoryCollection;
import de.bwaldvogel.mongo.backend.memory.MemoryDatabase;

/** An in-memory database whose user collections record their changes. */
final class CapturingDatabase extends MemoryDatabase {

  private final ChangeHistory history;

  CapturingDatabase(String databaseName, CursorRegistry cursorRegistry, ChangeHistory history) {
    super(databaseName, cursorRegistry);
    this.history = history;
  }

  @Override
  protected MemoryCollection openOrCreateCollection(
      String collectionName, CollectionOptions options) {
    // history is still null while the superclass constructor creates the system collections
    if (history == null || !CapturingCollection.isCaptured(getDatabaseName(), collectionName)) {
      return super.openOrCreateCollection(collectionName, options);
    }
    return new CapturingCollection(this, collectionName, options, cursorRegistry, history);
  }
}
