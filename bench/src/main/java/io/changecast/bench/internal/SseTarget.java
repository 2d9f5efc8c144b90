package io.changecast.bench.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * An SSE server under test, serving {@code GET <pathPrefix><tenant>/events}: the Changecast edge,
 * Pushpin, or the loopback floor's writer process. Events are published through the server's own
 * input (the events topic, or Pushpin's HTTP publish API) and must reach every subscriber of their
 * tenant.
 */
public sealed interface SseTarget extends AutoCloseable
    permits EdgeTarget, PushpinTarget, FloorTarget {

  /** {@code changecast-edge} or {@code pushpin}. */
  String name();

  /** The host clients connect to: servers under test listen on loopback only. */
  default String host() {
    return "127.0.0.1";
  }

  /** The port clients connect to. */
  int port();

  /** The stream path up to the tenant, e.g. {@code /v1/tenants/}. */
  default String pathPrefix() {
    return "/v1/tenants/";
  }

  /** Resident memory of the server's processes, in bytes. */
  long rssBytes();

  /** Heap in use after a full GC, in bytes; -1 where the server has no garbage-collected heap. */
  long heapAfterGcBytes();

  /** CPU time the server's processes used so far (ns), -1 where unknown. */
  long cpuNanos();

  /**
   * The server's histogram of its input lag so far: for each upper bound in ms (the last is {@code
   * Double.POSITIVE_INFINITY}), how many events were at most that old (now − {@code routedAt}) when
   * the server handed them to its streams; empty where the server does not record it.
   */
  default java.util.NavigableMap<Double, Long> inputAgeBuckets() {
    return java.util.Collections.emptyNavigableMap();
  }

  /** Queues one event of {@code tenant}; {@code json} is a one-line envelope with its id. */
  void publish(String tenant, long id, String json);

  /** Sends what {@link #publish} queued, if the input batches (called once per publisher tick). */
  void flush();

  /**
   * A shape's subscribers closed their connections: a server that cannot see its clients close (the
   * floor's writer never reads) drops their connections before the next shape connects.
   */
  default void subscribersClosed() {}

  /** How the server runs: version, process options, settings that differ from its defaults. */
  ObjectNode describe();

  @Override
  void close();
}
