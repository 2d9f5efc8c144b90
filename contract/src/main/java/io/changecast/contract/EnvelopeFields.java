package io.changecast.contract;

/**
 * The field names of the envelope (the JSON value of a routed record) that more than one module
 * reads: the router writes them, the edge parses them.
 */
public final class EnvelopeFields {

  /** The per-tenant sequence, a decimal string; the SSE {@code id:}. */
  public static final String ID = "id";

  /** The tenant id. */
  public static final String TENANT = "tenant";

  /** The event type. */
  public static final String TYPE = "type";

  /** The source's cluster time ({@code {"t": .., "i": ..}}). */
  public static final String CLUSTER_TIME = "clusterTime";

  /** When the router routed the event (epoch ms). */
  public static final String ROUTED_AT = "routedAt";

  /** The reason of a {@link ControlTypes#RESET} envelope. */
  public static final String REASON = "reason";

  private EnvelopeFields() {}
}
