package io.changecast.connector.source.internal;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A MongoDB namespace as Changecast names it in control records: a collection ({@code db} and
 * {@code coll}), a whole database ({@code coll} null) or the whole deployment (both null).
 */
public record Namespace(String db, String coll) {

  public Namespace {
    if (db == null && coll != null) {
      throw new IllegalArgumentException("a collection needs a database, found coll=" + coll);
    }
  }

  /** From the connector's {@code database} and {@code collection} options (empty = absent). */
  public static Namespace of(String database, String collection) {
    String db = database == null || database.isEmpty() ? null : database;
    String coll = db == null || collection == null || collection.isEmpty() ? null : collection;
    return new Namespace(db, coll);
  }

  /** {@code {"db":..,"coll":..}}, leaving out what is absent. */
  public ObjectNode toJson() {
    ObjectNode node = JsonNodeFactory.instance.objectNode();
    if (db != null) {
      node.put("db", db);
    }
    if (coll != null) {
      node.put("coll", coll);
    }
    return node;
  }
}
