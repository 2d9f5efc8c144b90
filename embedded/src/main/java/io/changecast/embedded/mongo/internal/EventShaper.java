package io.changecast.embedded.mongo.internal;

import de.bwaldvogel.mongo.bson.Document;

/**
 * Turns a retained {@link ChangeEvent} into the change event document MongoDB documents: {@code
 * _id} (resume token), {@code operationType}, {@code clusterTime}, {@code wallTime}, {@code
 * fullDocument} (per the stream's {@code fullDocument} option), {@code ns}, {@code documentKey},
 * {@code updateDescription} and, when asked for, {@code fullDocumentBeforeChange}.
 */
final class EventShaper {

  /** Looks up the current version of a document, or {@code null} when it no longer exists. */
  @FunctionalInterface
  interface CurrentDocuments {
    Document find(String db, String coll, Object id);
  }

  private final String fullDocument;
  private final String fullDocumentBeforeChange;
  private final CurrentDocuments currentDocuments;

  EventShaper(
      String fullDocument, String fullDocumentBeforeChange, CurrentDocuments currentDocuments) {
    this.fullDocument = fullDocument;
    this.fullDocumentBeforeChange = fullDocumentBeforeChange;
    this.currentDocuments = currentDocuments;
  }

  Document shape(ChangeEvent event) {
    Document document = new Document();
    document.put("_id", ClusterTime.token(event.time()));
    document.put("operationType", event.type().wireName());
    document.put("clusterTime", ClusterTime.toTimestamp(event.clusterTime()));
    document.put("wallTime", event.wallTime());
    switch (event.type()) {
      case INSERT, REPLACE -> document.put("fullDocument", event.postImage().cloneDeeply());
      case UPDATE -> addUpdateFullDocument(event, document);
      default -> {
        // deletes and drops carry no fullDocument
      }
    }
    document.put("ns", namespace(event));
    if (event.type() != ChangeType.DROP) {
      document.put("documentKey", new Document("_id", UpdateDescriptions.copy(event.documentId())));
    }
    if (event.type() == ChangeType.UPDATE) {
      document.put("updateDescription", event.updateDescription().cloneDeeply());
    }
    if (wantsPreImage() && event.preImage() != null) {
      document.put("fullDocumentBeforeChange", event.preImage().cloneDeeply());
    }
    if (event.transaction() != null) {
      document.put("lsid", event.transaction().lsid().cloneDeeply());
      document.put("txnNumber", event.transaction().txnNumber());
    }
    return document;
  }

  private void addUpdateFullDocument(ChangeEvent event, Document document) {
    switch (fullDocument) {
      case "updateLookup" ->
          document.put(
              "fullDocument", currentDocuments.find(event.db(), event.coll(), event.documentId()));
      case "whenAvailable", "required" ->
          document.put("fullDocument", event.postImage().cloneDeeply());
      default -> {
        // MongoDB omits fullDocument on updates unless asked for
      }
    }
  }

  private boolean wantsPreImage() {
    return "whenAvailable".equals(fullDocumentBeforeChange)
        || "required".equals(fullDocumentBeforeChange);
  }

  private static Document namespace(ChangeEvent event) {
    return new Document("db", event.db()).append("coll", event.coll());
  }
}
