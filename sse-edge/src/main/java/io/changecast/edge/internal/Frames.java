package io.changecast.edge.internal;

import java.io.IOException;
import java.util.Optional;

/**
 * How one transport writes a stream's frames. {@link StreamSession} decides what is sent (replay,
 * live, resets, overflow, heartbeats) and calls these from one thread at a time; implementations
 * only encode and write, blocking until the bytes are handed to the connection.
 */
interface Frames {
  /** The first bytes of the stream (SSE: the {@code retry:} line; WebSocket: nothing). */
  void open() throws IOException;

  /** A data event (unnamed in SSE). */
  void data(Event event) throws IOException;

  /** A router reset envelope ({@code changecast.reset}) with its id, as a named {@code reset}. */
  void routerReset(Event event) throws IOException;

  /** A retention reset without an id: events before {@code oldestRetainedId} are gone. */
  void retentionReset(long oldestRetainedId) throws IOException;

  /** The final event of a stream whose queue overflowed; {@code lastSentId} is -1 before any. */
  void overflow(long lastSentId) throws IOException;

  /** A heartbeat carrying the source's latest cluster time, when known. */
  void heartbeat(Optional<ClusterTime> clusterTime) throws IOException;

  /** Pushes what was written to the client. */
  void flush() throws IOException;

  /** The JSON text of the overflow event's data. */
  static String overflowData(long lastSentId) {
    return "{\"reason\":\"slow-client\",\"lastEventId\":"
        + (lastSentId < 0 ? "null" : "\"" + lastSentId + "\"")
        + "}";
  }

  /** The JSON text of a retention reset's data. */
  static String retentionResetData(long oldestRetainedId) {
    return "{\"reason\":\"retention\",\"oldestRetainedId\":\"" + oldestRetainedId + "\"}";
  }
}
