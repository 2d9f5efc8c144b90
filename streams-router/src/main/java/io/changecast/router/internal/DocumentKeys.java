package io.changecast.router.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.changecast.router.ChangeEvent;
import java.io.UncheckedIOException;

/** Keys of the {@code document-tenants} store: one per document of one collection. */
public final class DocumentKeys {

  private DocumentKeys() {}

  /**
   * {@code ["<db>","<coll>",<documentKey with fields sorted>]} as compact JSON: unambiguous, and
   * the same for every event of the document whatever the order of the key's fields.
   */
  public static String of(ChangeEvent event) {
    var key = Json.mapper().createArrayNode();
    key.add(event.database()).add(event.collection()).add(Json.canonical(event.documentKey()));
    try {
      return Json.mapper().writeValueAsString(key);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
