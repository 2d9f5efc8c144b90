package io.changecast.router.internal.parse;

import static io.changecast.router.internal.parse.RawJson.present;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.changecast.router.event.ChangeEvent;
import io.changecast.router.event.ChangeEvent.Operation;
import io.changecast.router.internal.parse.RawJson.ParseProblem;
import io.changecast.router.metrics.Reason;

/**
 * Parses the official connector's records with {@code publish.full.document.only=true}: the value
 * is the bare post-image, with no operation, namespace, resume token or times. The namespace comes
 * from the record (source headers or the topic name, see {@link RawTopicFormats}).
 *
 * <ul>
 *   <li>A document is a {@code replace}: the document's complete new state. Inserts, updates and
 *       replaces cannot be told apart, so none is claimed; the envelope keeps its contract (a
 *       {@code replace} always carries the document and never {@code changes}).
 *   <li>A tombstone ({@code publish.full.document.only.tombstone.on.delete=true}) is a {@code
 *       delete} of the document named by the record key ({@code
 *       change.stream.document.key.as.key=true}, the official default: {@code {"_id": ..}}).
 *   <li>The document key is the record key when it names the document's {@code _id} (it then keeps
 *       a sharded collection's shard key fields), else {@code {"_id": <document._id>}}.
 * </ul>
 *
 * No resume token: these events are not deduplicated (see the README). Total, like {@link
 * ChangeEventParser}.
 */
final class FullDocumentParser {

  private FullDocumentParser() {}

  /** Parses one record of a full-document topic of the namespace {@code database.collection}. */
  public static ParseResult parse(String key, String value, String database, String collection) {
    try {
      JsonNode recordKey = key(key);
      if (value == null) {
        if (recordKey == null) {
          throw new ParseProblem(
              Reason.MISSING_FIELD,
              "a tombstone (a delete under publish.full.document.only) needs the document key"
                  + " {\"_id\": ..} as record key, found "
                  + (key == null ? "no key" : Json.abbreviate(key, 60)));
        }
        return parsed(Operation.DELETE, database, collection, recordKey, null);
      }
      ObjectNode document = RawJson.object(value);
      JsonNode id = present(document.get("_id"));
      if (id == null) {
        throw new ParseProblem(
            Reason.MISSING_FIELD,
            "missing field '_id' (the value of a full-document topic is the document)");
      }
      JsonNode documentKey =
          recordKey != null && id.equals(recordKey.get("_id"))
              ? recordKey
              : Json.mapper().createObjectNode().set("_id", id);
      return parsed(Operation.REPLACE, database, collection, documentKey, document);
    } catch (ParseProblem problem) {
      return problem.invalid();
    }
  }

  private static ParseResult parsed(
      Operation operation, String database, String collection, JsonNode key, JsonNode document) {
    return new ParseResult.Parsed(
        new ChangeEvent(
            operation, database, collection, key, document, null, null, null, null, null));
  }

  /** The record key as a document key: a JSON object with {@code _id}; else {@code null}. */
  private static JsonNode key(String key) {
    if (key == null) {
      return null;
    }
    try {
      ObjectNode node = RawJson.object(key);
      return present(node.get("_id")) != null ? node : null;
    } catch (ParseProblem e) {
      return null;
    }
  }
}
