package io.changecast.connector.source.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.changecast.contract.HeaderNames;
import java.io.IOException;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * Adds the headers naming a record's source: {@code changecast.source.cluster}, {@code
 * changecast.source.db} and {@code changecast.source.coll}.
 */
public final class SourceHeaders {

  private static final JsonFactory JSON = new JsonFactory();

  private SourceHeaders() {}

  /** Adds the three headers, leaving out a null db or coll. */
  public static void add(SourceRecord record, String cluster, String db, String coll) {
    record.headers().addString(HeaderNames.SOURCE_CLUSTER, cluster);
    if (db != null) {
      record.headers().addString(HeaderNames.SOURCE_DB, db);
    }
    if (coll != null) {
      record.headers().addString(HeaderNames.SOURCE_COLL, coll);
    }
  }

  /**
   * Adds the headers to a record of the official connector: the namespace comes from the change
   * event's {@code ns} (JSON text value), or from {@code watched} when the value has none (e.g.
   * heartbeats of a collection watch).
   */
  public static void addFromEvent(SourceRecord record, String cluster, Namespace watched) {
    Namespace ns = record.value() instanceof String json ? namespaceOf(json) : null;
    Namespace source = ns != null ? ns : watched;
    add(record, cluster, source.db(), source.coll());
  }

  /** The top-level {@code ns} of a change event in JSON text, or null. */
  static Namespace namespaceOf(String json) {
    try (JsonParser parser = JSON.createParser(json)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String field = parser.currentName();
        JsonToken token = parser.nextToken();
        if ("ns".equals(field) && token == JsonToken.START_OBJECT) {
          return readNamespace(parser);
        }
        parser.skipChildren();
      }
      return null;
    } catch (IOException e) {
      return null;
    }
  }

  private static Namespace readNamespace(JsonParser parser) throws IOException {
    String db = null;
    String coll = null;
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String field = parser.currentName();
      JsonToken token = parser.nextToken();
      if (token == JsonToken.VALUE_STRING && "db".equals(field)) {
        db = parser.getText();
      } else if (token == JsonToken.VALUE_STRING && "coll".equals(field)) {
        coll = parser.getText();
      } else {
        parser.skipChildren();
      }
    }
    return db == null ? null : new Namespace(db, coll);
  }
}
