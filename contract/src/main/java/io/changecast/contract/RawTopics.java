package io.changecast.contract;

/**
 * The raw topics: where the source connector publishes change events and the router reads them. The
 * router's {@code raw.topic.pattern} defaults to {@link #DEFAULT_PATTERN}; the config CLI checks
 * connector configs against the same default.
 */
public final class RawTopics {

  /**
   * The router's default {@code raw.topic.pattern}: {@code changecast.raw.<db>.<coll>} topics, and
   * the bare prefix {@code changecast.raw.} on which some connector versions publish events without
   * a namespace (an {@code invalidate}).
   */
  public static final String DEFAULT_PATTERN = "changecast\\.raw\\..*";

  /**
   * The source connector's default {@code topic.prefix}: its topics are {@code
   * <prefix>.<db>.<coll>}, which {@link #DEFAULT_PATTERN} matches.
   */
  public static final String DEFAULT_PREFIX = "changecast.raw";

  private RawTopics() {}
}
