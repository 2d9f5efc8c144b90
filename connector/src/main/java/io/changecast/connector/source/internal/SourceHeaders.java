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
   *
   * @return the change event's {@code operationType}, read in the same pass; null when the value
   *     has none (not a change event)
   */
  public static String addFromEvent(SourceRecord record, String cluster, Namespace watched) {
    Head head = record.value() instanceof String json ? head(json) : Head.NONE;
    Namespace source = head.ns() != null ? head.ns() : watched;
    add(record, cluster, source.db(), source.coll());
    return head.operationType();
  }

  /** The top-level {@code ns} of a change event in JSON text, or null. */
  static Namespace namespaceOf(String json) {
    return head(json).ns();
  }

  /** A change event's top-level {@code ns} and {@code operationType}, each null when absent. */
  record Head(Namespace ns, String operationType) {
    static final Head NONE = new Head(null, null);
  }

  /** The {@link Head} of a change event in JSON text, read up to where both are known. */
  static Head head(String json) {
    Namespace ns = null;
    String operationType = null;
    try (JsonParser parser = JSON.createParser(json)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        return Head.NONE;
      }
      while ((ns == null || operationType == null) && parser.nextToken() == JsonToken.FIELD_NAME) {
        String field = parser.currentName();
        JsonToken token = parser.nextToken();
        if ("ns".equals(field) && token == JsonToken.START_OBJECT) {
          ns = readNamespace(parser);
        } else if ("operationType".equals(field) && token == JsonToken.VALUE_STRING) {
          operationType = parser.getText();
        } else {
          parser.skipChildren();
        }
      }
      return new Head(ns, operationType);
    } catch (IOException e) {
      return new Head(ns, operationType);
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
