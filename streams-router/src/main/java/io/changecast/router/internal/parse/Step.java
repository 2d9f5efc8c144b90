package io.changecast.router.internal.parse;

import io.changecast.router.event.ChangeEvent;
import io.changecast.router.event.Envelope;
import io.changecast.router.metrics.Reason;

/**
 * A record's state in the router's first sub-topology (before the repartition by tenant). It never
 * leaves the process: it is not serialised.
 */
public sealed interface Step {

  /** Parsed; the raw value is kept in case a later stage rejects it. */
  record Parsed(String raw, ChangeEvent event) implements Step {}

  /** Assigned to a tenant, waiting for an id. */
  record Resolved(String tenant, Pending pending) implements Step {}

  /** A history-lost control record: the affected namespaces (see {@link Control}). */
  record HistoryLost(
      String raw,
      com.fasterxml.jackson.databind.JsonNode namespaces,
      Envelope.ClusterTime clusterTime)
      implements Step {}

  /** A drop, rename, dropDatabase or invalidate: resets for the affected tenants. */
  record NamespaceChanged(String raw, NamespaceChange change) implements Step {}

  /** A record that carries nothing to route (a Debezium tombstone, a {@code create} event). */
  record Skipped(String why) implements Step {}

  /** A heartbeat control record: the source is alive up to {@code clusterTime}. */
  record Heartbeat(Envelope.ClusterTime clusterTime) implements Step {}

  /** Rejected: goes to the dead-letter topic with its original value. */
  record Rejected(String raw, Stage stage, Reason reason, String detail) implements Step {}

  /** A rejection when {@code raw} is over {@code maxBytes} UTF-8 bytes, else {@code null}. */
  static Rejected tooLarge(String raw, int maxBytes) {
    if (raw == null || raw.length() <= maxBytes / 3) { // at most 3 UTF-8 bytes per char
      return null;
    }
    int bytes = raw.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    return bytes <= maxBytes
        ? null
        : new Rejected(
            raw,
            Stage.PARSE,
            Reason.TOO_LARGE,
            "the value is " + bytes + " bytes, over max.record.bytes " + maxBytes);
  }

  /** The format of a raw topic's values. */
  enum Format {
    /** The official MongoDB connector's change events, or Debezium envelopes, by their shape. */
    AUTO,
    MONGODB,
    DEBEZIUM,
    /**
     * The official connector with {@code publish.full.document.only=true}: bare documents and
     * tombstones ({@link FullDocumentParser}).
     */
    FULL_DOCUMENT
  }
}
