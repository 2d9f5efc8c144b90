package io.changecast.embedded.mongo.internal;

/**
 * What a change stream watches: one collection, one database ({@code coll == null}) or the whole
 * deployment ({@code db == null}).
 */
record StreamScope(String db, String coll) {

  static StreamScope deployment() {
    return new StreamScope(null, null);
  }

  boolean matches(ChangeEvent event) {
    if (db == null) {
      return true;
    }
    if (!db.equals(event.db())) {
      return false;
    }
    return coll == null || coll.equals(event.coll());
  }

  /** The namespace reported in cursor replies, as MongoDB reports it. */
  String cursorNamespace() {
    if (db == null) {
      return "admin.$cmd.aggregate";
    }
    return coll == null ? db + ".$cmd.aggregate" : db + "." + coll;
  }
}
