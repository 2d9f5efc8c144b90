package io.changecast.embedded.mongo.internal;

import de.bwaldvogel.mongo.bson.Document;

/**
 * What a change stream watches: one collection, one database ({@code coll == null}) or the whole
 * deployment ({@code db == null}).
 */
record StreamScope(String db, String coll) {

  static StreamScope deployment() {
    return new StreamScope(null, null);
  }

  /** Whether the stream reports {@code event} (a rename is seen from its source and target). */
  boolean matches(ChangeEvent event) {
    if (db == null) {
      return true;
    }
    if (covers(event.db(), event.coll())) {
      return true;
    }
    return event.type() == ChangeType.RENAME
        && event.description() != null
        && event.description().get("to") instanceof Document to
        && covers((String) to.get("db"), (String) to.get("coll"));
  }

  /**
   * Whether {@code event} (which {@link #matches}) ends the stream with an {@code invalidate}: a
   * drop or rename of the watched collection, the drop of the watched database.
   */
  boolean invalidatedBy(ChangeEvent event) {
    if (db == null) {
      return false;
    }
    if (coll == null) {
      return event.type() == ChangeType.DROP_DATABASE;
    }
    return event.type() == ChangeType.DROP || event.type() == ChangeType.RENAME;
  }

  private boolean covers(String eventDb, String eventColl) {
    if (!db.equals(eventDb)) {
      return false;
    }
    return coll == null || coll.equals(eventColl);
  }

  /** The namespace reported in cursor replies, as MongoDB reports it. */
  String cursorNamespace() {
    if (db == null) {
      return "admin.$cmd.aggregate";
    }
    return coll == null ? db + ".$cmd.aggregate" : db + "." + coll;
  }
}
