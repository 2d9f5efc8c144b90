package io.changecast.router.event;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import io.changecast.contract.ControlTypes;

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
 * @param reason on resets: why ({@code source-history-lost})
 * @param namespaces on resets: the affected namespaces, {@code [{"db": .., "coll": ..}]}
 * @param data on published events ({@code operation} {@code publish}): the payload as posted
 * @param clusterTime MongoDB's cluster time
 * @param wallTime MongoDB's wall time, epoch milliseconds
 * @param routedAt when the router assigned the id, epoch milliseconds
 * @param traceparent the event's W3C trace context (as the record's {@code traceparent} header),
 *     when it has one: look the event up by its trace id in a trace backend
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
  "reason",
  "namespaces",
  "data",
  "clusterTime",
  "wallTime",
  "routedAt",
  "traceparent"
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
    String reason,
    JsonNode namespaces,
    JsonNode data,
    ClusterTime clusterTime,
    Long wallTime,
    long routedAt,
    String traceparent) {

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
        null,
        null,
        null,
        event.clusterTime(),
        event.wallTime(),
        routedAt,
        null);
  }

  /** Operation of reset events. */
  public static final String RESET = "reset";

  /** Operation of events published by other systems through the ingest topic. */
  public static final String PUBLISH = "publish";

  /** A reset: the tenant's stream has a gap subscribers must handle (reload their state). */
  public static Envelope reset(
      long sequence,
      String tenant,
      String reason,
      JsonNode namespaces,
      ClusterTime clusterTime,
      long routedAt) {
    return new Envelope(
        Long.toString(sequence),
        tenant,
        ControlTypes.RESET,
        RESET,
        null,
        null,
        null,
        null,
        null,
        reason,
        namespaces,
        null,
        clusterTime,
        null,
        routedAt,
        null);
  }

  /** An event published by another system for {@code tenant}. */
  public static Envelope publish(
      long sequence, String tenant, String type, JsonNode data, long routedAt) {
    return new Envelope(
        Long.toString(sequence),
        tenant,
        type,
        PUBLISH,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        data,
        null,
        null,
        routedAt,
        null);
  }

  /** This envelope with {@code traceparent}. */
  public Envelope withTraceparent(String traceparent) {
    return new Envelope(
        id,
        tenant,
        type,
        operation,
        database,
        collection,
        documentKey,
        document,
        changes,
        reason,
        namespaces,
        data,
        clusterTime,
        wallTime,
        routedAt,
        traceparent);
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
