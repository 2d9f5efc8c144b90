package io.changecast.router.internal.parse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.changecast.router.event.Envelope;
import java.util.List;
import java.util.Optional;

/**
 * A change event that changes namespaces, not documents: {@code drop}, {@code rename}, {@code
 * dropDatabase} or {@code invalidate}. The official connector publishes each as the change event
 * itself, on the raw topic of its {@code ns} ({@code <prefix>.<db>.<coll>}, {@code <prefix>.<db>}
 * for {@code dropDatabase}). An {@code invalidate} has no {@code ns}: version 2.0.1 publishes none
 * (its topic mapper names no topic), older versions wrote it to the bare prefix's topic ({@code
 * changecast.raw.}). The router turns each into a reset of the affected tenants, with the reason
 * {@link Kind#reason()}.
 *
 * @param kind what happened
 * @param namespaces the affected namespaces: a drop's collection, a rename's source then target, a
 *     dropped database (no {@code coll}); empty for an invalidate, which names none
 * @param clusterTime the event's cluster time, when it has one (an invalidate has its cause's)
 * @param resumeToken the event's {@code _id}, for deduplication
 */
public record NamespaceChange(
    Kind kind, List<Namespace> namespaces, Envelope.ClusterTime clusterTime, JsonNode resumeToken) {

  /** A database ({@code coll} {@code null}) or one collection of it. */
  public record Namespace(String db, String coll) {

    /** {@code {"db": .., "coll": ..}}, as resets list them. */
    void addTo(ArrayNode array) {
      var node = array.addObject().put("db", db);
      if (coll != null) {
        node.put("coll", coll);
      }
    }
  }

  /** The namespace-changing operation types, and the reason of the resets they cause. */
  public enum Kind {
    /** A collection was dropped: its documents are gone. */
    DROP("drop", "collection-dropped"),
    /** A collection was renamed: its documents live under the target namespace now. */
    RENAME("rename", "collection-renamed"),
    /** A database was dropped (after a {@code drop} of each of its collections). */
    DROP_DATABASE("dropDatabase", "database-dropped"),
    /**
     * The change stream ended (after a drop or rename of the watched collection, or a drop of the
     * watched database). The official connector then opens a new one without resume token, from the
     * present: changes made in between are not captured.
     */
    INVALIDATE("invalidate", "stream-invalidated");

    private final String operationType;
    private final String reason;

    Kind(String operationType, String reason) {
      this.operationType = operationType;
      this.reason = reason;
    }

    /** The MongoDB {@code operationType}. */
    public String operationType() {
      return operationType;
    }

    /** The reason of the resets this kind causes, e.g. {@code collection-dropped}. */
    public String reason() {
      return reason;
    }

    /** The kind of a MongoDB {@code operationType}, if it is one. */
    public static Optional<Kind> of(String operationType) {
      for (Kind kind : values()) {
        if (kind.operationType.equals(operationType)) {
          return Optional.of(kind);
        }
      }
      return Optional.empty();
    }
  }

  /** The namespaces as resets list them: {@code [{"db": .., "coll": ..}, ..]}. */
  public ArrayNode namespacesJson() {
    ArrayNode array = Json.mapper().createArrayNode();
    namespaces.forEach(ns -> ns.addTo(array));
    return array;
  }
}
