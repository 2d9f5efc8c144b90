package io.changecast.router.internal.parse;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.changecast.router.event.ChangeEvent;

/** Keys of the {@code document-tenants} store: one per document of one collection. */
public final class DocumentKeys {

  private DocumentKeys() {}

  /**
   * {@code ["<db>","<coll>",<documentKey with fields sorted>]} as compact JSON: unambiguous, and
   * the same for every event of the document whatever the order of the key's fields. Written
   * directly (the same text as Jackson writing that array), without building the array node.
   */
  public static String of(ChangeEvent event) {
    JsonStringEncoder encoder = JsonStringEncoder.getInstance();
    StringBuilder key = new StringBuilder(96).append("[\"");
    encoder.quoteAsString(event.database(), key);
    key.append("\",\"");
    encoder.quoteAsString(event.collection(), key);
    key.append("\",");
    Json.appendCanonical(event.documentKey(), key);
    return key.append(']').toString();
  }

  /**
   * The common prefix of the keys of every document of {@code db.coll} or, with {@code coll} {@code
   * null}, of every collection of {@code db}.
   */
  public static String prefix(String db, String coll) {
    JsonStringEncoder encoder = JsonStringEncoder.getInstance();
    StringBuilder prefix = new StringBuilder(64).append("[\"").append(encoder.quoteAsString(db));
    return coll == null
        ? prefix.append("\",\"").toString()
        : prefix.append("\",\"").append(encoder.quoteAsString(coll)).append("\",").toString();
  }
}
