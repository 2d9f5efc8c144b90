package io.changecast.router.event;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import io.changecast.contract.DocumentReader;
import io.changecast.contract.TenantStrategy;
import java.util.Optional;

/**
 * One MongoDB change event, parsed from a raw topic and normalised: the input of tenant resolution
 * and of the envelope. Absent parts are {@code null} (never JSON {@code null} nodes).
 *
 * @param operation what happened
 * @param database {@code ns.db}
 * @param collection {@code ns.coll}
 * @param documentKey the document's key as received (relaxed Extended JSON)
 * @param document the post-image when known; {@code null} on deletes and updates without one
 * @param changes the update description, on updates only
 * @param clusterTime the oplog time, when present
 * @param wallTime the server's wall clock in epoch milliseconds, when present
 * @param resumeToken the change event's {@code _id} (resume token) as received, when present
 * @param documentBefore the pre-image ({@code fullDocumentBeforeChange}) when the change stream has
 *     one; used to resolve the tenant of deletes, not routed
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ChangeEvent(
    Operation operation,
    String database,
    String collection,
    JsonNode documentKey,
    JsonNode document,
    Envelope.Changes changes,
    Envelope.ClusterTime clusterTime,
    Long wallTime,
    JsonNode resumeToken,
    JsonNode documentBefore) {

  /** Reads Jackson trees for the shared tenant rule. */
  private static final DocumentReader<JsonNode> JSON =
      new DocumentReader<>() {
        @Override
        public JsonNode field(JsonNode node, String name) {
          return node.isObject() ? node.get(name) : null;
        }

        @Override
        public int size(JsonNode node) {
          return node.isObject() ? node.size() : -1;
        }

        @Override
        public String text(JsonNode node) {
          return node.isTextual() ? node.asText() : null;
        }

        @Override
        public String wholeNumber(JsonNode node) {
          return node.isIntegralNumber() ? node.asText() : null;
        }
      };

  /**
   * The tenant of this event under {@code strategy}, read from its namespace or its document (the
   * post-image, else the pre-image); empty when the event alone does not say.
   */
  public Optional<String> tenant(TenantStrategy strategy) {
    return strategy.resolve(
        database, collection, document != null ? document : documentBefore, JSON);
  }

  /** The document-level change stream operations the router routes. */
  public enum Operation {
    INSERT("insert", "created"),
    UPDATE("update", "updated"),
    REPLACE("replace", "replaced"),
    DELETE("delete", "deleted");

    private final String operationType;
    private final String typeSuffix;

    Operation(String operationType, String typeSuffix) {
      this.operationType = operationType;
      this.typeSuffix = typeSuffix;
    }

    /** The MongoDB {@code operationType}, e.g. {@code insert}. */
    public String operationType() {
      return operationType;
    }

    /** The default event type suffix, e.g. {@code created}. */
    public String typeSuffix() {
      return typeSuffix;
    }

    /** The operation for a MongoDB {@code operationType}, if the router routes it. */
    public static Optional<Operation> fromOperationType(String operationType) {
      for (Operation operation : values()) {
        if (operation.operationType.equals(operationType)) {
          return Optional.of(operation);
        }
      }
      return Optional.empty();
    }
  }
}
