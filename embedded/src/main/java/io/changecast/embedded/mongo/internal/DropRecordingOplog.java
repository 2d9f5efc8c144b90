package io.changecast.embedded.mongo.internal;

import de.bwaldvogel.mongo.backend.Cursor;
import de.bwaldvogel.mongo.backend.aggregation.Aggregation;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.exception.MongoServerException;
import de.bwaldvogel.mongo.oplog.Oplog;
import java.util.List;

/**
 * The backend's {@link Oplog}. Document changes and drops are recorded by {@link
 * CapturingCollection} (which sees before and after images and knows the collection's UUID), so
 * this records nothing and never serves cursors: {@code $changeStream} is answered by {@link
 * ChangeStreams}.
 */
final class DropRecordingOplog implements Oplog {

  private final ChangeHistory history;

  DropRecordingOplog(ChangeHistory history) {
    this.history = history;
  }

  @Override
  public void handleInsert(String namespace, List<Document> documents) {}

  @Override
  public void handleUpdate(
      String namespace, Document selector, Document query, List<Object> modifiedIds) {}

  @Override
  public void handleDelete(String namespace, Document query, List<Object> deletedIds) {}

  @Override
  public void handleDropCollection(String namespace) {
    // recorded by CapturingCollection.drop()
  }

  @Override
  public Cursor createCursor(
      Document changeStreamDocument, String namespace, Aggregation aggregation) {
    throw new MongoServerException("change streams are served by ChangeStreams");
  }
}
