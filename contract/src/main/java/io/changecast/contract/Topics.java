package io.changecast.contract;

/**
 * The default topic names every module agrees on: where the router writes events, dead letters and
 * type topics, and where the edge's write API and the router meet (the raw topics: {@link
 * RawTopics}).
 */
public final class Topics {

  /** The router's output, the edge's input: one envelope per event, keyed by tenant. */
  public static final String EVENTS = "changecast.events";

  /** The router's dead-letter topic. */
  public static final String DLQ = "changecast.dlq";

  /** Where the edge's write API produces and the router reads published events. */
  public static final String INGEST = "changecast.ingest";

  /** The prefix of the router's per-type topics ({@code type.topics.enabled}). */
  public static final String TYPE_PREFIX = "changecast.type.";

  private Topics() {}
}
