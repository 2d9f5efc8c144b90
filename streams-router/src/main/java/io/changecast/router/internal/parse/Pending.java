package io.changecast.router.internal.parse;

import com.fasterxml.jackson.databind.JsonNode;
import io.changecast.router.event.ChangeEvent;
import io.changecast.router.event.Envelope;
import io.changecast.router.internal.serde.PendingSerde;

/**
 * What waits for an id on the repartition by tenant: a change event, a reset, or an event published
 * through the ingest topic. Written in {@link PendingSerde}'s binary format.
 */
public sealed interface Pending {

  /** A MongoDB change event and its event type. */
  record Change(ChangeEvent event, String type) implements Pending {}

  /**
   * The tenant's stream has a gap it cannot fill: subscribers must reload.
   *
   * @param reason e.g. {@code source-history-lost}
   * @param namespaces the affected namespaces, {@code [{"db": .., "coll": ..}]}
   * @param clusterTime the source's cluster time of the loss, when known
   */
  record Reset(String reason, JsonNode namespaces, Envelope.ClusterTime clusterTime)
      implements Pending {}

  /** An event another system published for the tenant (ingest topic). */
  record Publish(String type, JsonNode data, Long receivedAt) implements Pending {}
}
