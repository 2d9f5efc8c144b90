package io.changecast.embedded.mongo.internal;

import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.exception.MongoServerError;

/**
 * Turns a retained {@link ChangeEvent} into the change event document MongoDB 7.0 sends, field by
 * field and in its order: {@code _id} (resume token), {@code operationType}, {@code clusterTime},
 * {@code collectionUUID} (expanded events only), {@code wallTime}, {@code fullDocument}, {@code
 * ns}, {@code to} (renames), {@code documentKey}, {@code operationDescription} (expanded events
 * only), {@code updateDescription}, {@code fullDocumentBeforeChange}, {@code stateBeforeChange}.
 *
 * <p>Pre-images exist only for changes made while the collection had {@code
 * changeStreamPreAndPostImages} enabled; post-images of updates with them (MongoDB derives them
 * from the pre-image). {@code whenAvailable} then gives {@code null}, {@code required} fails with
 * NoMatchingDocument (47), as MongoDB does.
 */
final class EventShaper {

  static final int NO_MATCHING_DOCUMENT = 47;

  /** Looks up the current version of a document, or {@code null} when it no longer exists. */
  @FunctionalInterface
  interface CurrentDocuments {
    Document find(String db, String coll, Object id);
  }

  private final String fullDocument;
  private final String fullDocumentBeforeChange;
  private final boolean expanded;
  private final CurrentDocuments currentDocuments;

  EventShaper(
      String fullDocument,
      String fullDocumentBeforeChange,
      boolean expanded,
      CurrentDocuments currentDocuments) {
    this.fullDocument = fullDocument;
    this.fullDocumentBeforeChange = fullDocumentBeforeChange;
    this.expanded = expanded;
    this.currentDocuments = currentDocuments;
  }

  /**
   * Whether the stream shows {@code event} at all (DDL beyond drop/rename needs expanded events).
   */
  boolean shows(ChangeEvent event) {
    return expanded || !event.type().expanded();
  }

  Document shape(ChangeEvent event) {
    Document document = new Document();
    document.put("_id", StreamTokens.event(event.time()));
    document.put("operationType", event.type().wireName());
    document.put("clusterTime", ClusterTime.toTimestamp(event.clusterTime()));
    if (expanded && event.collectionUuid() != null) {
      document.put("collectionUUID", event.collectionUuid());
    }
    document.put("wallTime", event.wallTime());
    switch (event.type()) {
      case INSERT, REPLACE -> document.put("fullDocument", event.postImage().cloneDeeply());
      case UPDATE -> addUpdateFullDocument(event, document);
      default -> {
        // deletes and DDL events carry no fullDocument
      }
    }
    document.put("ns", namespace(event));
    if (event.type() == ChangeType.RENAME) {
      document.put("to", ((Document) event.description().get("to")).cloneDeeply());
    }
    if (event.type().isDocumentChange()) {
      document.put("documentKey", new Document("_id", UpdateDescriptions.copy(event.documentId())));
    }
    if (expanded && event.description() != null) {
      Document description = event.description().cloneDeeply();
      description.remove("stateBeforeChange");
      document.put("operationDescription", description);
    }
    if (event.type() == ChangeType.UPDATE) {
      Document updateDescription = event.updateDescription().cloneDeeply();
      if (!expanded) {
        updateDescription.remove(UpdateDescriptions.DISAMBIGUATED_PATHS);
      }
      document.put("updateDescription", updateDescription);
    }
    if (wantsPreImage()
        && (event.type() == ChangeType.UPDATE
            || event.type() == ChangeType.REPLACE
            || event.type() == ChangeType.DELETE)) {
      if (event.preImage() == null && "required".equals(fullDocumentBeforeChange)) {
        throw new MongoServerError(
            NO_MATCHING_DOCUMENT,
            "NoMatchingDocument",
            "Change stream was configured to require a pre-image for all update, delete and"
                + " replace events, but the pre-image was not found for event: "
                + summary(event));
      }
      document.put(
          "fullDocumentBeforeChange",
          event.preImage() == null ? null : event.preImage().cloneDeeply());
    }
    if (event.type() == ChangeType.MODIFY
        && event.description().get("stateBeforeChange") instanceof Document before) {
      document.put("stateBeforeChange", before.cloneDeeply());
    }
    if (event.transaction() != null) {
      document.put("lsid", event.transaction().lsid().cloneDeeply());
      document.put("txnNumber", event.transaction().txnNumber());
    }
    return document;
  }

  /** The {@code invalidate} that ends a stream after {@code cause}. */
  Document invalidate(ChangeEvent cause) {
    return new Document("_id", StreamTokens.invalidate(cause.time()))
        .append("operationType", "invalidate")
        .append("clusterTime", ClusterTime.toTimestamp(cause.time()))
        .append("wallTime", cause.wallTime());
  }

  private void addUpdateFullDocument(ChangeEvent event, Document document) {
    switch (fullDocument) {
      case "updateLookup" ->
          document.put(
              "fullDocument", currentDocuments.find(event.db(), event.coll(), event.documentId()));
      case "whenAvailable", "required" -> {
        // MongoDB computes the post-image from the recorded pre-image and the update
        if (event.preImage() == null) {
          if (fullDocument.equals("required")) {
            throw new MongoServerError(
                NO_MATCHING_DOCUMENT,
                "NoMatchingDocument",
                "Change stream was configured to require a post-image for all update events,"
                    + " but the post-image was not found for event: "
                    + summary(event));
          }
          document.put("fullDocument", null);
        } else {
          document.put("fullDocument", event.postImage().cloneDeeply());
        }
      }
      default -> {
        // MongoDB omits fullDocument on updates unless asked for
      }
    }
  }

  private boolean wantsPreImage() {
    return "whenAvailable".equals(fullDocumentBeforeChange)
        || "required".equals(fullDocumentBeforeChange);
  }

  private static String summary(ChangeEvent event) {
    return "{operationType: \""
        + event.type().wireName()
        + "\", ns: {db: \""
        + event.db()
        + "\", coll: \""
        + event.coll()
        + "\"}, clusterTime: Timestamp("
        + ClusterTime.seconds(event.time())
        + ", "
        + ClusterTime.increment(event.time())
        + ")}";
  }

  private static Document namespace(ChangeEvent event) {
    Document ns = new Document("db", event.db());
    if (event.coll() != null) {
      ns.append("coll", event.coll());
    }
    return ns;
  }
}
