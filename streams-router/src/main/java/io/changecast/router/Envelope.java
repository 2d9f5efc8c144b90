package io.changecast.router;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * The routed event, written as JSON to the events topic (key: tenant). Absent fields are omitted.
 *
 * @param id the per-tenant sequence number, a decimal string; also the SSE {@code id:}
 * @param tenant the tenant id
 * @param type the event type, by default {@code <collection>.<created|updated|replaced|deleted>}
 * @param operation the MongoDB {@code operationType} as received
 * @param database the namespace's database
 * @param collection the namespace's collection
 * @param documentKey the document's key as received
 * @param document the post-image when known; absent on deletes
 * @param changes the update description, on updates only
 * @param clusterTime MongoDB's cluster time
 * @param wallTime MongoDB's wall time, epoch milliseconds
 * @param routedAt when the router assigned the id, epoch milliseconds
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({
  "id",
  "tenant",
  "type",
  "operation",
  "database",
  "collection",
  "documentKey",
  "document",
  "changes",
  "clusterTime",
  "wallTime",
  "routedAt"
})
public record Envelope(
    String id,
    String tenant,
    String type,
    String operation,
    String database,
    String collection,
    JsonNode documentKey,
    JsonNode document,
    Changes changes,
    ClusterTime clusterTime,
    Long wallTime,
    long routedAt) {

  /** The envelope of {@code event}, the {@code sequence}-th event of {@code tenant}. */
  public static Envelope of(
      long sequence, String tenant, String type, ChangeEvent event, long routedAt) {
    return new Envelope(
        Long.toString(sequence),
        tenant,
        type,
        event.operation().operationType(),
        event.database(),
        event.collection(),
        event.documentKey(),
        event.document(),
        event.changes(),
        event.clusterTime(),
        event.wallTime(),
        routedAt);
  }

  /**
   * An update's description, as received.
   *
   * @param updatedFields object of dotted field paths to new values
   * @param removedFields array of removed field paths
   * @param truncatedArrays array of {@code {field, newSize}}
   */
  @JsonPropertyOrder({"updatedFields", "removedFields", "truncatedArrays"})
  public record Changes(JsonNode updatedFields, JsonNode removedFields, JsonNode truncatedArrays) {}

  /**
   * A BSON timestamp: {@code t} seconds since the epoch and the increment {@code i} within them.
   */
  @JsonPropertyOrder({"t", "i"})
  public record ClusterTime(long t, long i) {}
}
